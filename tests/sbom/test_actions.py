"""Ingestion, matching and decisions, through the actions: what is stored, what is refused."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forceb.core.choices import AuditAction
from forceb.core.models import AuditEntry
from forceb.sbom import actions
from forceb.sbom.models import Component, ComponentEdge, Finding, FindingDecision, Sbom
from tests.conftest import shared_data

from . import kb

DATA = __import__("pathlib").Path(__file__).parent / "data"


@pytest.fixture
def loaded(sector, tmp_path):
    kb.load(tmp_path)
    return sector


def _counts():
    return (Sbom.objects.count(), Component.objects.count(), ComponentEdge.objects.count(), Finding.objects.count())


def test_ingest_stores_components_tree_findings_and_one_import_entry(loaded):
    system = kb.system(loaded.bank)
    entries_before = AuditEntry.objects.count()
    sbom = actions.ingest_sbom(loaded.bank_analyst, system, kb.cyclonedx(), "app.cdx.json")

    assert sbom.is_current and sbom.owner == loaded.bank and sbom.format == "CycloneDX"
    assert sbom.components.count() == 6  # root application + five
    assert ComponentEdge.objects.filter(sbom=sbom).count() == 5
    django = sbom.components.get(name="Django")
    assert (django.ecosystem, django.package, django.status) == ("PyPI", "django", "matched")
    assert sbom.components.get(name="openssl").status == "unsupported"
    assert sbom.components.get(name="vendored-thing").status == "no_purl"
    # KEV first, then EPSS, then CVSS
    assert list(sbom.findings.with_priority().order_by("priority").values_list("vuln_id", flat=True)) == [
        "GO-TEST-3", "GHSA-test-2", "PYSEC-TEST-1"]
    gin = sbom.findings.get(vuln_id="GO-TEST-3")
    assert gin.kev and gin.kev_ransomware and str(gin.kev_due_date) == "2099-01-22" and "known exploited" in gin.reason
    assert sbom.findings.get(vuln_id="PYSEC-TEST-1").upgrade_to == "3.2.5"
    assert sbom.scan_summary["unsupported"] == 1 and sbom.scan_summary["no_purl"] == 2  # the app, vendored
    assert sbom.ntia["elements"]["author"]["ok"] is True
    # bulk writes: one 'create' of the SBOM and one 'import' entry, none per component or finding
    new = AuditEntry.objects.filter(seq__gt=entries_before)
    assert new.filter(action=AuditAction.IMPORT, object_type="sbom.sbom").count() == 1
    assert not new.filter(object_type__in=["sbom.component", "sbom.finding", "sbom.componentedge"]).exists()


def test_new_sbom_becomes_current_keeps_diff_and_carries_decisions(loaded):
    system = kb.system(loaded.bank)
    first = actions.ingest_sbom(loaded.bank_analyst, system, kb.cyclonedx(), "v1.json")
    lodash = first.findings.get(vuln_id="GHSA-test-2")
    actions.decide_finding(loaded.bank_analyst, lodash, "not_affected", "code_not_reachable", "we never call it")

    second = actions.ingest_sbom(loaded.bank_analyst, system, kb.cyclonedx(django="3.2.5"), "v2.json")
    first.refresh_from_db()
    assert not first.is_current and second.is_current and second.previous == first
    assert second.diff["changed"] == [{"name": "Django", "purl": "pkg:pypi/django@3.2.5", "from": "3.2.0",
                                       "to": "3.2.5"}]
    assert not second.findings.filter(vuln_id="PYSEC-TEST-1").exists()  # upgraded away
    carried = second.findings.get(vuln_id="GHSA-test-2")
    assert carried.status == "not_affected"
    assert carried.decisions.get().source == "carried-over"


@pytest.mark.parametrize("name,fragment", [
    ("broken-truncated.json", "invalid JSON"),
    ("broken-billion-laughs.xml", ""),
    ("broken-xxe.xml", ""),
    ("broken-not-an-sbom.json", ""),
    ("broken-spdx3.spdx", ""),
])
def test_malformed_sbom_is_refused_whole_with_the_readers_message(loaded, name, fragment):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{name} not in the readers' corpus")
    system = kb.system(loaded.bank)
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        actions.ingest_sbom(loaded.bank_analyst, system, path.read_bytes(), name)
    assert _counts() == before
    message = " ".join(caught.value.messages)
    assert message.startswith("not a readable SBOM:") and fragment in message


def test_refused_sbom_keeps_the_previous_one_current(loaded):
    system = kb.system(loaded.bank)
    good = actions.ingest_sbom(loaded.bank_analyst, system, kb.cyclonedx(), "good.json")
    with pytest.raises(ValidationError, match=r"line 1 column \d+"):
        actions.ingest_sbom(loaded.bank_analyst, system, b'{"bomFormat": "CycloneDX", ', "bad.json")
    good.refresh_from_db()
    assert good.is_current and Sbom.objects.count() == 1


def test_another_organisations_system_is_refused(loaded):
    system = kb.system(loaded.insurer)
    with pytest.raises(PermissionDenied):
        actions.ingest_sbom(loaded.bank_analyst, system, kb.cyclonedx(), "x.json")
    with pytest.raises(PermissionDenied):
        actions.ingest_sbom(loaded.bank_auditor, kb.system(loaded.bank), kb.cyclonedx(), "x.json")


def test_decisions_are_validated_and_kept_in_order(loaded):
    sbom = actions.ingest_sbom(loaded.bank_analyst, kb.system(loaded.bank), kb.cyclonedx(), "a.json")
    finding = sbom.findings.get(vuln_id="PYSEC-TEST-1")
    with pytest.raises(ValidationError, match="needs a justification"):
        actions.decide_finding(loaded.bank_analyst, finding, "not_affected")
    with pytest.raises(PermissionDenied):
        actions.decide_finding(loaded.insurer_analyst, finding, "triaged")
    actions.decide_finding(loaded.bank_analyst, finding, "triaged")
    actions.decide_finding(loaded.bank_admin, finding, "fixed", detail="upgraded in release 7")
    finding.refresh_from_db()
    assert finding.status == "fixed"
    assert list(FindingDecision.objects.filter(finding=finding).values_list("status", flat=True)) == ["fixed", "triaged"]


def _assert_nothing_silently_clean(sbom):
    summary = sbom.scan_summary
    assert sbom.components.count() == summary["components"] > 0, sbom.filename
    # every component is recognised, unsupported, indeterminate or without purl: none is clean unscanned
    assert summary["recognised"] + summary["unsupported"] + summary["indeterminate"] + summary["no_purl"] == \
        summary["components"]


def test_real_cyclonedx_sboms_are_ingested_and_the_malformed_one_refused(loaded):
    folder = shared_data("vuln", "sbom-real", "in-the-wild", "cyclonedx")
    system = kb.system(loaded.bank)
    for path in sorted(folder.iterdir()):
        if path.name.startswith("bashrc2"):  # no bomFormat/specVersion: malformed on purpose upstream
            before = _counts()
            with pytest.raises(ValidationError, match="neither CycloneDX"):
                actions.ingest_sbom(loaded.bank_analyst, system, path.read_bytes(), path.name)
            assert _counts() == before
            continue
        _assert_nothing_silently_clean(actions.ingest_sbom(loaded.bank_analyst, system, path.read_bytes(), path.name))
    assert Sbom.objects.filter(system=system, is_current=True).count() == 1
    assert Sbom.objects.filter(system=system).count() == 6


@pytest.mark.slow
def test_real_spdx_container_sboms_against_the_real_knowledge_base(sector):
    actions.import_feeds(shared_data("vuln", "osv"))
    actions.import_feeds(shared_data("vuln", "kev"))
    folder = shared_data("vuln", "sbom-real", "in-the-lab")
    for i, path in enumerate(sorted(folder.glob("*.json"))):
        system = kb.system(sector.bank, name=f"container {i}")
        sbom = actions.ingest_sbom(sector.bank_analyst, system, path.read_bytes(), path.name)
        _assert_nothing_silently_clean(sbom)
        assert sbom.format == "SPDX" and sbom.spec_version in ("SPDX-2.2", "SPDX-2.3")
    assert Finding.objects.filter(owner=sector.bank).count() > 100


def test_dependencies_of_components_with_refs_longer_than_the_column_are_kept(loaded):
    # generators write whole purls with qualifiers, or paths, as bom-refs: these pass 500 characters
    app, lib = "app-" + "a" * 600, "lib-" + "b" * 600
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
           "metadata": {"component": {"bom-ref": app, "type": "application", "name": "app", "version": "1"}},
           "components": [{"bom-ref": lib, "type": "library", "name": "lib", "version": "1.0",
                           "purl": "pkg:pypi/lib@1.0"}],
           "dependencies": [{"ref": app, "dependsOn": [lib]}]}
    sbom = actions.ingest_sbom(loaded.bank_analyst, kb.system(loaded.bank), json.dumps(bom), "long.json")
    edge = ComponentEdge.objects.get(sbom=sbom)
    assert (edge.parent.name, edge.child.name) == ("app", "lib")
