"""VEX: CycloneDX VEX export validates with cyclonedx-python-lib and round-trips; OpenVEX imports."""

import json

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from django.core.exceptions import ValidationError

from forceb.sbom import actions, exports, vex
from forceb.sbom.models import Finding
from tests.conftest import shared_data

from . import kb


@pytest.fixture
def two_systems(sector, tmp_path):
    kb.load(tmp_path)
    sector.first = actions.ingest_sbom(sector.bank_analyst, kb.system(sector.bank, "Core"), kb.cyclonedx(), "a")
    sector.second = actions.ingest_sbom(sector.bank_analyst, kb.system(sector.bank, "Mirror"), kb.cyclonedx(), "b")
    return sector


def _export(sbom) -> str:
    rows = exports.rows_from_findings(Finding.objects.filter(sbom=sbom).select_related("component", "advisory")
                                      .prefetch_related("decisions"))
    return exports.cyclonedx_vex(rows, subject=sbom.subject, subject_version=sbom.subject_version)


def test_cyclonedx_vex_is_schema_valid_and_round_trips(two_systems):
    s = two_systems
    actions.decide_finding(s.bank_analyst, s.first.findings.get(vuln_id="GHSA-test-2"), "not_affected",
                           "code_not_reachable", "lodash.template is never called")
    actions.decide_finding(s.bank_analyst, s.first.findings.get(vuln_id="PYSEC-TEST-1"), "affected",
                           detail="upgrade planned")
    document = _export(s.first)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(document) is None
    states = {v["id"]: v["analysis"] for v in json.loads(document)["vulnerabilities"]}
    assert states["GHSA-test-2"] == {"state": "not_affected", "justification": "code_not_reachable",
                                     "detail": "lodash.template is never called"}
    assert states["GO-TEST-3"]["state"] == "in_triage" and states["PYSEC-TEST-1"]["state"] == "exploitable"

    result = actions.import_vex(s.bank_admin, s.second.system, document)
    assert result["format"] == "cyclonedx-vex" and result["applied"] == 3 and result["unmatched"] == []
    statuses = dict(s.second.findings.values_list("vuln_id", "status"))
    assert statuses == {"GHSA-test-2": "not_affected", "PYSEC-TEST-1": "affected", "GO-TEST-3": "triaged"}
    decision = s.second.findings.get(vuln_id="GHSA-test-2").decisions.get()
    assert (decision.source, decision.justification, decision.decided_by) == (
        "cyclonedx-vex", "code_not_reachable", s.bank_admin)


def test_openvex_statements_by_alias_and_purl(two_systems):
    s = two_systems
    document = {
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "Bank A PSIRT",
        "timestamp": "2024-05-02T00:00:00Z", "version": 1,
        "statements": [
            {"vulnerability": {"name": "CVE-2099-0003"}, "products": [{"@id": "pkg:golang/github.com/gin-gonic/gin"}],
             "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
             "impact_statement": "the logger middleware is not used"},
            {"vulnerability": {"name": "CVE-2099-0002"}, "products": [{"@id": "pkg:npm/lodash@4.17.15"}],
             "status": "fixed"},
            {"vulnerability": {"name": "CVE-2000-0000"}, "products": [{"@id": "pkg:npm/lodash@4.17.15"}],
             "status": "affected", "action_statement": "n/a"},
        ],
    }
    result = actions.import_vex(s.bank_analyst, s.first.system, json.dumps(document))
    assert result == {"format": "openvex", "statements": 3, "applied": 2, "unmatched": ["CVE-2000-0000"]}
    gin = s.first.findings.get(vuln_id="GO-TEST-3")
    assert gin.status == "not_affected"
    assert gin.decisions.get().justification == "code_not_reachable"
    assert s.first.findings.get(vuln_id="GHSA-test-2").status == "fixed"
    assert s.second.findings.get(vuln_id="GO-TEST-3").status == "new"  # another system: untouched


def test_statement_about_the_product_covers_its_components(two_systems):
    s = two_systems
    document = {"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1, "vulnerabilities": [
        {"id": "CVE-2099-0001", "analysis": {"state": "resolved", "detail": "patched"}, "affects": [{"ref": "app"}]}]}
    assert actions.import_vex(s.bank_analyst, s.first.system, json.dumps(document))["applied"] == 1
    assert s.first.findings.get(vuln_id="PYSEC-TEST-1").status == "fixed"


def test_cisa_example_documents_read(two_systems):
    folder = shared_data("vuln", "sbom-examples", "cyclonedx", "VEX", "CISA-Use-Cases", "Case-1")
    statuses = {p.name: vex.read_vex(p.read_bytes()).statements[0].status for p in sorted(folder.glob("*.json"))}
    assert statuses == {"vex-affected.json": "affected", "vex-fixed.json": "fixed",
                        "vex-not_affected.json": "not_affected", "vex-under_investigation.json": "triaged"}


@pytest.mark.parametrize("payload,where", [
    (b"{", "line 1 column 2"),
    (b'{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "X", "analysis": {"state": "maybe"}}]}',
     "/vulnerabilities/0/analysis/state"),
    (b'{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": "X", "status": "meh"}]}',
     "/statements/0/status"),
    (b'{"hello": 1}', "neither CycloneDX VEX"),
])
def test_bad_vex_is_refused_naming_the_place_and_changes_nothing(two_systems, payload, where):
    with pytest.raises(ValidationError, match=where):
        actions.import_vex(two_systems.bank_analyst, two_systems.first.system, payload)
    assert not Finding.objects.exclude(status="new").exists()


def test_vex_for_another_organisations_system_is_refused(two_systems):
    with pytest.raises(actions.PermissionDenied):
        actions.import_vex(two_systems.insurer_analyst, two_systems.first.system, b"{}")
