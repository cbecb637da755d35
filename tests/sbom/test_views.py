"""The SBOM pages: each renders for its owner, answers 404 across organisations, and writes through actions."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from forceb.sbom import actions
from forceb.sbom.models import Sbom

from . import kb


@pytest.fixture
def world(sector, tmp_path):
    kb.load(tmp_path)
    sector.sbom = actions.ingest_sbom(sector.bank_analyst, kb.system(sector.bank, "Core"), kb.cyclonedx(), "c.json")
    sector.other = actions.ingest_sbom(sector.insurer_analyst, kb.system(sector.insurer, "Claims"), kb.cyclonedx(), "d")
    return sector


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_has_counts_charts_as_data_and_no_inline_script(world):
    response = browser(world.bank_analyst).get("/sbom/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-testid="kev-count">1<', html)
    assert 'id="chart-trend" type="application/json"' in html and "GO-TEST-3" in html
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", html)


def test_sbom_page_shows_ntia_tree_findings_and_honest_counts(world):
    html = browser(world.bank_analyst).get(f"/sbom/sboms/{world.sbom.pk}/").content.decode()
    assert 'data-testid="ntia"' in html and "gin@1.5.0" in html and "PYSEC-TEST-1" in html
    assert re.search(r'data-testid="unsupported">1<', html)


def test_pages_of_another_organisation_answer_404(world):
    client = browser(world.bank_analyst)
    finding = world.other.findings.first()
    for url in (f"/sbom/sboms/{world.other.pk}/", f"/sbom/sboms/{world.other.pk}/export/sarif/",
                f"/sbom/findings/{finding.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/sbom/findings/{finding.pk}/", {"status": "fixed"}).status_code == 404


def test_finding_page_records_a_decision(world):
    finding = world.sbom.findings.get(vuln_id="GO-TEST-3")
    client = browser(world.bank_analyst)
    page = client.get(f"/sbom/findings/{finding.pk}/").content.decode()
    assert "Known exploited" in page and "payments-api@1.0 → Django@3.2.0 → gin@1.5.0" in page
    response = client.post(f"/sbom/findings/{finding.pk}/", {"status": "triaged", "justification": "", "detail": "ok"})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "triaged"
    assert browser(world.bank_auditor).post(f"/sbom/findings/{finding.pk}/", {"status": "fixed"}).status_code == 404


def test_upload_page_stores_or_names_the_problem(world):
    client = browser(world.bank_analyst)
    system = world.sbom.system
    bad = client.post("/sbom/sboms/", {"system": system.pk, "file": SimpleUploadedFile("x.json", b"{")})
    assert bad.status_code == 200 and "invalid JSON" in bad.content.decode() and Sbom.objects.count() == 2
    good = client.post("/sbom/sboms/", {"system": system.pk, "file": SimpleUploadedFile("x.json", kb.cyclonedx())})
    assert good.status_code == 302 and Sbom.objects.filter(system=system, is_current=True).count() == 1


def test_component_search_and_sector_pages(world):
    html = browser(world.bank_analyst).get("/sbom/components/?q=lodash").content.decode()
    assert "Core" in html and "Claims" not in html
    hub = browser(world.hub_analyst).get("/sbom/sector/?vulnerability=CVE-2099-0003").content.decode()
    assert "Bank A" in hub and "Insurer B" in hub and "aggregated (not shared)" in hub


def test_sbom_page_imports_xml_vex_and_exports_it(world):
    client = browser(world.bank_analyst)
    data = (__import__("pathlib").Path(__file__).parent / "data" / "vex" / "cdx-1.6-vex.xml").read_bytes()
    page = client.get(f"/sbom/sboms/{world.sbom.pk}/").content.decode()
    assert f"/sbom/sboms/{world.sbom.pk}/export/vex-xml/" in page
    bad = client.post(f"/sbom/sboms/{world.sbom.pk}/", {"file": SimpleUploadedFile("v.xml", data[:400])})
    assert bad.status_code == 200 and "invalid XML" in bad.content.decode()
    assert not world.sbom.findings.exclude(status="new").exists()
    good = client.post(f"/sbom/sboms/{world.sbom.pk}/", {"file": SimpleUploadedFile("v.xml", data)})
    assert good.status_code == 302 and world.sbom.findings.get(vuln_id="PYSEC-TEST-1").status == "fixed"
    history = client.get(f"/sbom/findings/{world.sbom.findings.get(vuln_id='PYSEC-TEST-1').pk}/").content.decode()
    assert f"Imported CycloneDX VEX ({world.bank_analyst.username})" in history  # where the decision came from
    export = client.get(f"/sbom/sboms/{world.sbom.pk}/export/vex-xml/")
    assert export["Content-Type"] == "application/vnd.cyclonedx+xml" and b"<state>resolved</state>" in export.content
