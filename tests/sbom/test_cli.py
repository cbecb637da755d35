"""The CLI: ``forceb sbom scan`` for CI/CD (exit 0/1/2, JSON shape, nothing stored), ``forceb sbom
import``, ``forceb feeds import``."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from forceb.sbom.models import Component, Finding, Sbom
from tests.conftest import shared_data

from . import kb


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def loaded(sector, tmp_path):
    kb.load(tmp_path)
    path = tmp_path / "app.cdx.json"
    path.write_bytes(kb.cyclonedx())
    sector.sbom_path = path
    return sector


def test_scan_json_has_the_promised_shape_and_stores_nothing(loaded):
    code, out, _ = run("sbom", "scan", str(loaded.sbom_path), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    summary = doc["summary"]
    assert (summary["components"], summary["recognised"], summary["matched"], summary["unsupported"]) == (6, 3, 3, 1)
    assert summary["by_ecosystem"]["PyPI"]["matched"] == 1 and summary["by_ecosystem"]["Ubuntu"]["unsupported"] == 1
    first = doc["findings"][0]
    for key in ("purl", "id", "aliases", "severity", "cvss_score", "kev", "epss", "fixed_versions", "upgrade_to"):
        assert key in first
    assert [f["id"] for f in doc["findings"]] == ["GO-TEST-3", "GHSA-test-2", "PYSEC-TEST-1"]
    assert first["kev"] is True and first["purl"] == "pkg:golang/github.com/gin-gonic/gin@v1.5.0"
    django = doc["findings"][2]
    assert (django["aliases"], django["severity"], django["cvss_score"], django["fixed_versions"],
            django["upgrade_to"], django["epss"]) == (["CVE-2099-0001"], "critical", 9.8, ["3.2.5"], "3.2.5", 0.1)
    assert (Sbom.objects.count(), Component.objects.count(), Finding.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize("gate,code", [("kev", 1), ("critical", 1), ("high", 1)])
def test_scan_fails_the_gate_when_a_finding_meets_it(loaded, gate, code):
    assert run("sbom", "scan", str(loaded.sbom_path), "--fail-on", gate)[0] == code


def test_scan_passes_the_gate_when_nothing_meets_it(loaded, tmp_path):
    clean = tmp_path / "clean.json"
    clean.write_bytes(kb.cyclonedx(django="4.2.0", gin="1.9.0"))  # lodash (high, not KEV) remains
    assert run("sbom", "scan", str(clean), "--fail-on", "kev")[0] == 0
    assert run("sbom", "scan", str(clean), "--fail-on", "critical")[0] == 0
    code, _, err = run("sbom", "scan", str(clean), "--fail-on", "high")
    assert code == 1 and "1 finding(s) fail the gate" in err


def test_scan_bad_input_exits_2_naming_the_problem(loaded, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"bomFormat": "CycloneDX", "components": [')
    code, out, err = run("sbom", "scan", str(bad))
    assert code == 2 and out == ""
    assert "bad.json" in err and "invalid JSON" in err and "line 1" in err
    assert run("sbom", "scan", str(tmp_path / "missing.json"))[0] == 2


def test_scan_table_and_other_formats(loaded):
    code, out, _ = run("sbom", "scan", str(loaded.sbom_path))
    assert code == 0 and "GO-TEST-3" in out and "not scanned: Ubuntu: the purl has no 'distro' qualifier" in out
    sarif = json.loads(run("sbom", "scan", str(loaded.sbom_path), "--format", "sarif")[1])
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 3
    vex = json.loads(run("sbom", "scan", str(loaded.sbom_path), "--format", "cyclonedx-vex")[1])
    assert {v["analysis"]["state"] for v in vex["vulnerabilities"]} == {"in_triage"}


def test_scan_of_a_real_sbom_against_the_real_knowledge_base(sector):
    call_command("feeds", "import", str(shared_data("vuln", "osv")), stdout=io.StringIO(), stderr=io.StringIO())
    code, out, _ = run("sbom", "scan", str(shared_data("vuln", "sbom-real", "in-the-wild", "cyclonedx",
                                                       "harp-darwin-amd64.sbom.json")), "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["summary"]["by_ecosystem"]["Go"]["recognised"] > 100
    assert doc["findings"] and all(f["id"].startswith(("GO-", "GHSA-", "PYSEC-")) for f in doc["findings"])


def test_import_stores_for_a_system_acting_as_a_person(loaded):
    system = kb.system(loaded.bank)
    code, out, _ = run("sbom", "import", str(loaded.sbom_path), "--system", str(system.pk), "--as", "bank-analyst")
    result = json.loads(out)
    assert code == 0 and result["findings"] == 3 and result["components"] == 6
    sbom = Sbom.objects.get(pk=result["sbom"])
    assert sbom.uploaded_by == loaded.bank_analyst and sbom.system == system


def test_import_refuses_another_organisations_system_and_bad_files(loaded, tmp_path):
    system = kb.system(loaded.insurer)
    code, _, err = run("sbom", "import", str(loaded.sbom_path), "--system", str(system.pk), "--as", "bank-analyst")
    assert code == 2 and "your organisation's systems" in err
    bad = tmp_path / "bad.xml"
    bad.write_text("<bom><components>")
    code, _, err = run("sbom", "import", str(bad), "--system", str(system.pk))
    assert code == 2 and "not a readable SBOM" in err and Sbom.objects.count() == 0
    with pytest.raises(CommandError, match="no system"):
        call_command("sbom", "import", str(bad), "--system", "999999")


def test_feeds_import_reports_what_changed(sector, tmp_path):
    out = io.StringIO()
    call_command("feeds", "import", str(kb.write_feeds(tmp_path / "f")), stdout=out, stderr=io.StringIO())
    report = json.loads(out.getvalue())
    assert report["added"] == {"osv": 4, "kev": 1, "epss": 2} and report["error_count"] == 0
    with pytest.raises(CommandError, match="no such file"):
        call_command("feeds", "import", str(tmp_path / "nope"), stdout=io.StringIO(), stderr=io.StringIO())


VEX_DATA = __import__("pathlib").Path(__file__).parent / "data" / "vex"


def test_vex_applies_a_cyclonedx_xml_document_to_a_systems_current_sbom(loaded):
    system = kb.system(loaded.bank)
    run("sbom", "import", str(loaded.sbom_path), "--system", str(system.pk), "--as", "bank-analyst")
    code, out, _ = run("sbom", "vex", str(VEX_DATA / "cdx-1.6-vex.xml"), "--system", str(system.pk),
                       "--as", "bank-analyst")
    assert code == 0
    assert json.loads(out) == {"system": system.pk, "format": "cyclonedx-vex", "statements": 4, "applied": 3,
                               "unmatched": ["CVE-2000-9999"]}
    assert dict(Finding.objects.values_list("vuln_id", "status")) == {
        "GHSA-test-2": "not_affected", "GO-TEST-3": "affected", "PYSEC-TEST-1": "fixed"}


def test_vex_refuses_a_broken_document_whole_exit_2_naming_the_place(loaded):
    system = kb.system(loaded.bank)
    run("sbom", "import", str(loaded.sbom_path), "--system", str(system.pk))
    code, out, err = run("sbom", "vex", str(VEX_DATA / "broken-vex-unexplained.xml"), "--system", str(system.pk))
    assert code == 2 and out == ""
    assert "broken-vex-unexplained.xml" in err and "/bom/vulnerabilities/vulnerability[1]" in err
    assert set(Finding.objects.values_list("status", flat=True)) == {"new"}
    other = kb.system(loaded.insurer)
    code, _, err = run("sbom", "vex", str(VEX_DATA / "cdx-1.6-vex.xml"), "--system", str(other.pk),
                       "--as", "bank-analyst")
    assert code == 2 and "your organisation's systems" in err


def test_scan_exports_cyclonedx_vex_as_xml(loaded):
    code, out, _ = run("sbom", "scan", str(loaded.sbom_path), "--format", "cyclonedx-vex-xml")
    assert code == 0 and 'xmlns="http://cyclonedx.org/schema/bom/1.6"' in out and "<id>GO-TEST-3</id>" in out
