"""The English threat-posture report: only what the hub may share onward (CLEAR, GREEN and
counts), never a member's name, and figures that match the store."""

import re
import zlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from forceb.core.choices import TLP
from forceb.intel import actions, report, stix

from .conftest import indicator

MALWARE = {"type": "malware", "spec_version": "2.1", "id": "malware--2a0b6d1c-5f7e-4d8a-9b3c-1e2f3a4b5c6d",
           "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "Emotet",
           "is_family": True, "aliases": ["Emotet", "Heodo"],
           "object_marking_refs": [stix.TLP2_MARKING[TLP.GREEN]]}
SECRET_MALWARE = {**MALWARE, "id": "malware--7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "name": "Quietwhisper",
                  "aliases": ["Quietwhisper"], "object_marking_refs": [stix.TLP2_MARKING[TLP.AMBER]]}


def relationship(n, source, target, tlp=TLP.GREEN):
    return {"type": "relationship", "spec_version": "2.1", "id": f"relationship--00000000-0000-4000-8000-{n:012d}",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "relationship_type": "indicates", "source_ref": source, "target_ref": target,
            "object_marking_refs": [stix.TLP2_MARKING[tlp]]}


@pytest.fixture
def posture(shared):
    s = shared
    s.collection.writers.add(s.insurer)
    green = indicator(1, tlp=TLP.GREEN, description="phishing kit, technique T1566.001, exploits CVE-2024-3400")
    clear = indicator(2, tlp=TLP.CLEAR, description="credential harvesting, T1566.001")
    amber = indicator(3, tlp=TLP.AMBER, name="Velvetfox beacon", description="AMBERSECRET lateral movement T1021")
    red = indicator(4, tlp=TLP.RED, name="Crimsonowl loader", description="REDSECRET CVE-2099-0001")
    actions.add_objects(s.bank_analyst, s.collection,
                        [green, clear, amber, red, MALWARE, SECRET_MALWARE,
                         relationship(1, green["id"], MALWARE["id"]),
                         relationship(2, amber["id"], SECRET_MALWARE["id"], tlp=TLP.AMBER)])
    seen = timezone.now() - timedelta(minutes=1)
    actions.report_sighting(s.bank_analyst, s.collection, sighting_of=green["id"], count=5,
                            first_seen=seen, last_seen=seen, share_identity=True)
    actions.report_sighting(s.insurer_analyst, s.collection, sighting_of=green["id"], count=7,
                            first_seen=seen, last_seen=seen)
    actions.report_sighting(s.insurer_analyst, s.collection, sighting_of=amber["id"], count=100,
                            first_seen=seen, last_seen=seen, marking=TLP.AMBER)
    s.seen = seen
    return s


FORBIDDEN = ("AMBERSECRET", "REDSECRET", "Velvetfox", "Crimsonowl", "Quietwhisper", "CVE-2099-0001", "T1021",
             "Bank A", "Insurer B", "bank-a", "insurer-b")


def test_figures_match_the_store_and_leave_out_amber_and_red(posture):
    built = report.build(*report.current_quarter())
    # Shared: 2 indicators, 1 malware, 1 relationship (CLEAR/GREEN); AMBER and RED left out.
    assert built.objects_shared == 4
    assert built.indicators == 2
    assert built.contributing_organisations == 1
    assert (built.sightings, built.sighting_reports, built.reporting_organisations) == (12, 2, 2)
    assert [(r.label, r.count) for r in built.techniques] == [("T1566.001", 2)]
    assert [(r.label, r.detail, r.count) for r in built.malware] == [("Emotet", "Heodo", 2)]
    assert [r.label for r in built.vulnerabilities] == ["CVE-2024-3400"]
    month = posture.seen.strftime("%Y-%m")
    assert (month, 12, 2) in built.trend and sum(n for _, n, _ in built.trend) == 12
    assert built.marking == TLP.GREEN
    html = report.render_html(built)
    assert "Emotet" in html and "CVE-2024-3400" in html and "T1566.001" in html
    for word in FORBIDDEN:
        assert word not in html, word


def test_a_remarked_object_leaves_the_report(posture):
    stricter = {**MALWARE, "modified": "2024-06-01T00:00:00.000Z",
                "object_marking_refs": [stix.TLP2_MARKING[TLP.AMBER]]}
    actions.add_objects(posture.bank_analyst, posture.collection, [stricter])
    assert "Emotet" not in report.render_html(report.build(*report.current_quarter()))


def test_sectors_are_shown_only_from_two_institutions(posture):
    built = report.build(*report.current_quarter())
    assert built.sectors == []  # one bank and one insurer reported: either would be identified
    posture.insurer.sector = "bank"
    posture.insurer.save()
    built = report.build(*report.current_quarter())
    assert [(r.label, r.count) for r in built.sectors] == [("Bank", 2)]


def test_another_quarter_is_empty(posture):
    year, quarter = report.current_quarter()
    built = report.build(year - 1, quarter)
    assert built.objects_shared == 0 and built.sightings == 0 and built.techniques == []


def pdf_pages(data: bytes) -> int:
    """Page objects in a PDF, including those WeasyPrint packs into compressed object streams."""
    parts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", part)) for part in parts)


def test_pdf_from_the_command_line(posture, tmp_path):
    year, quarter = report.current_quarter()
    out = tmp_path / "posture.pdf"
    call_command("intel", "report", "--quarter", f"{year}Q{quarter}", "--format", "pdf", "-o", str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert pdf_pages(data) >= 1
    try:
        from pypdf import PdfReader
    except ImportError:
        return
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Emotet" in text
    for word in FORBIDDEN:
        assert word not in text, word


def test_html_from_the_command_line(posture, tmp_path):
    out = tmp_path / "posture.html"
    call_command("intel", "report", "--format", "html", "-o", str(out))
    html = out.read_text()
    assert "<script" not in html and "Emotet" in html
    for word in FORBIDDEN:
        assert word not in html, word


def test_web_report_for_hub_analysts_and_the_supervisor_only(posture, client):
    year, quarter = report.current_quarter()
    for user in (posture.hub_analyst, posture.supervisor):
        client.force_login(user)
        page = client.get(f"/intel/report/?quarter={year}Q{quarter}")
        assert page.status_code == 200 and b"Emotet" in page.content and b"AMBERSECRET" not in page.content
        pdf = client.get(f"/intel/report/pdf/?quarter={year}Q{quarter}")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    client.force_login(posture.bank_analyst)
    assert client.get("/intel/report/").status_code == 404
    assert client.get("/intel/report/pdf/").status_code == 404
    client.force_login(posture.hub_analyst)
    assert client.get("/intel/report/?quarter=nonsense").status_code == 404
    client.logout()
    assert client.get("/intel/report/").status_code == 302
