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


# --------------------------------------------------------------------------------------------
# CycloneDX VEX in XML

VEX_DATA = __import__("pathlib").Path(__file__).parent / "data" / "vex"


def _statuses(sbom) -> dict[str, str]:
    return dict(sbom.findings.values_list("vuln_id", "status"))


def test_cyclonedx_1_6_xml_vex_applies_by_bom_link_own_ref_and_product(two_systems):
    s = two_systems
    result = actions.import_vex(s.bank_analyst, s.first.system, (VEX_DATA / "cdx-1.6-vex.xml").read_bytes())
    assert result == {"format": "cyclonedx-vex", "statements": 4, "applied": 3, "unmatched": ["CVE-2000-9999"]}
    assert _statuses(s.first) == {"GHSA-test-2": "not_affected", "GO-TEST-3": "affected", "PYSEC-TEST-1": "fixed"}
    lodash = s.first.findings.get(vuln_id="GHSA-test-2").decisions.get()
    assert (lodash.source, lodash.justification, lodash.detail, lodash.decided_by) == (
        "cyclonedx-vex", "code_not_reachable", "lodash.template is never called with user input", s.bank_analyst)
    assert set(_statuses(s.second).values()) == {"new"}  # another system: untouched


def test_cyclonedx_1_4_xml_false_positive_is_not_affected(two_systems):
    s = two_systems
    result = actions.import_vex(s.bank_analyst, s.first.system, (VEX_DATA / "cdx-1.4-vex.xml").read_bytes())
    assert result["applied"] == 1
    gin = s.first.findings.get(vuln_id="GO-TEST-3")
    assert gin.status == "not_affected"
    assert (gin.decisions.get().justification, gin.decisions.get().detail) == ("requires_configuration", "false positive")


@pytest.mark.parametrize("name,message", [
    ("broken-vex-entity.xml", "XML refused for safety"),
    ("broken-vex-state.xml", r"/bom/vulnerabilities/vulnerability\[1\]/analysis/state: unknown state 'maybe'"),
    # The first statement is fine; the second cannot be applied, so neither is.
    ("broken-vex-unexplained.xml", r"/bom/vulnerabilities/vulnerability\[1\]: 'not affected' needs a justification"),
    ("broken-vex-1.3.xml", "CycloneDX 1.3 has no vulnerabilities"),
    ("broken-vex-truncated.xml", "line 5 column 0: invalid XML"),
])
def test_broken_xml_vex_is_refused_whole_naming_the_place(two_systems, name, message):
    with pytest.raises(ValidationError, match=message):
        actions.import_vex(two_systems.bank_analyst, two_systems.first.system, (VEX_DATA / name).read_bytes())
    assert not Finding.objects.exclude(status="new").exists()
    assert not two_systems.first.findings.filter(decisions__isnull=False).exists()


@pytest.mark.parametrize("payload,message", [
    (b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>', "/bom/vulnerabilities: a CycloneDX VEX needs"),
    (b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><vulnerabilities><vulnerability><analysis><state>resolved'
     b'</state></analysis></vulnerability></vulnerabilities></bom>', r"vulnerability\[0\]: a vulnerability needs an id"),
    (b"<bom><vulnerabilities/></bom>", "element bom: the root of a CycloneDX VEX in XML"),
    (b'<spdx:Document xmlns:spdx="http://spdx.org/rdf/terms#"/>', "element Document"),
    (b"<" + b"<a>" * 10, "invalid XML"),
    (b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6">' + b"<a>" * 80 + b"</a>" * 80 + b"</bom>",
     "nesting deeper than 64 levels"),
])
def test_xml_that_is_no_cyclonedx_vex_is_named(payload, message):
    with pytest.raises(vex.VexError, match=message):
        vex.read_vex(payload)


def test_cyclonedx_vex_exports_as_schema_valid_xml_and_round_trips(two_systems):
    from cyclonedx.validation.xml import XmlValidator

    s = two_systems
    actions.decide_finding(s.bank_analyst, s.first.findings.get(vuln_id="GHSA-test-2"), "not_affected",
                           "code_not_reachable", "lodash.template is never called")
    actions.decide_finding(s.bank_analyst, s.first.findings.get(vuln_id="PYSEC-TEST-1"), "fixed", detail="patched")
    rows = exports.rows_from_findings(Finding.objects.filter(sbom=s.first).select_related("component", "advisory")
                                      .prefetch_related("decisions"))
    document = exports.cyclonedx_vex(rows, subject=s.first.subject, subject_version="1.0", encoding="xml")
    assert document.lstrip().startswith("<?xml") and 'xmlns="http://cyclonedx.org/schema/bom/1.6"' in document
    assert XmlValidator(SchemaVersion.V1_6).validate_str(document) is None
    result = actions.import_vex(s.bank_admin, s.second.system, document)
    assert result["applied"] == 3 and result["unmatched"] == []
    assert _statuses(s.second) == {"GHSA-test-2": "not_affected", "PYSEC-TEST-1": "fixed", "GO-TEST-3": "triaged"}
    assert s.second.findings.get(vuln_id="GHSA-test-2").decisions.get().detail == "lodash.template is never called"
