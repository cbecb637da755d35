"""SARIF 2.1.0 export: valid against the OASIS schema, one rule per vulnerability, decisions as suppressions."""

import json

import jsonschema
import pytest

from forceb.sbom import actions, exports
from forceb.sbom.models import Finding
from tests.conftest import shared_data

from . import kb


@pytest.fixture
def schema():
    return json.loads(shared_data("vuln", "schemas", "sarif-schema-2.1.0.json").read_text())


def _rows(sbom):
    return exports.rows_from_findings(Finding.objects.filter(sbom=sbom).select_related("component", "advisory")
                                      .prefetch_related("decisions"))


def test_stored_findings_export_as_valid_sarif(sector, tmp_path, schema):
    kb.load(tmp_path)
    sbom = actions.ingest_sbom(sector.bank_analyst, kb.system(sector.bank), kb.cyclonedx(), "app.cdx.json")
    actions.decide_finding(sector.bank_analyst, sbom.findings.get(vuln_id="GHSA-test-2"), "not_affected",
                           "code_not_reachable")
    log = exports.sarif(_rows(sbom), artifact="app.cdx.json")
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["GO-TEST-3", "GHSA-test-2", "PYSEC-TEST-1"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["GO-TEST-3"]["level"] == "error"  # KEV
    assert by_rule["PYSEC-TEST-1"]["properties"]["upgradeTo"] == "3.2.5"
    assert run["tool"]["driver"]["rules"][2]["properties"]["security-severity"] == "9.8"
    assert by_rule["GHSA-test-2"]["suppressions"][0]["justification"].startswith("not_affected")
    assert "suppressions" not in by_rule["PYSEC-TEST-1"]


def test_sarif_of_a_real_scan_is_valid(sector, schema):
    actions.import_feeds(shared_data("vuln", "osv"))
    from forceb.sbom import queries, readers

    doc = readers.read_sbom_file(shared_data("vuln", "sbom-real", "in-the-wild", "cyclonedx", "harp-darwin-amd64.sbom.json"))
    result = queries.matcher().match(doc.components)
    log = exports.sarif(exports.rows_from_scan(result.findings), artifact="harp-darwin-amd64.sbom.json")
    jsonschema.validate(log, schema)
    assert len(log["runs"][0]["results"]) == len(result.findings) > 0
