"""The REST API under /api/sbom/: upload, lists and details, decisions, portfolio search, the sector
view (aggregated unless shared) and isolation (another organisation's objects answer 404)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forceb.core import actions as core_actions
from forceb.sbom import actions
from forceb.sbom.models import Component, Finding, Sbom

from . import kb

API = "/api/sbom"


@pytest.fixture
def world(sector, tmp_path):
    kb.load(tmp_path)
    sector.core = kb.system(sector.bank, "Core banking", criticality="critical")
    sector.claims = kb.system(sector.insurer, "Claims", criticality="medium")
    sector.bank_sbom = actions.ingest_sbom(sector.bank_analyst, sector.core, kb.cyclonedx(), "core.json")
    sector.insurer_sbom = actions.ingest_sbom(sector.insurer_analyst, sector.claims,
                                              kb.cyclonedx(django="4.2.0", lodash="4.17.21"), "claims.json")
    return sector


def _upload(client, system, payload, name="app.cdx.json"):
    return client.post(f"{API}/sboms/", {"system": system.pk, "file": SimpleUploadedFile(name, payload)},
                       format="multipart")


def test_upload_creates_the_current_sbom_with_summary_and_ntia(world):
    client = world.client(world.bank_analyst)
    response = _upload(client, world.core, kb.cyclonedx(django="3.2.5"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_current"] and body["scan_summary"]["matched"] == 2 and body["ntia"]["elements"]
    assert body["diff"]["changed"][0]["to"] == "3.2.5" and body["previous"] == world.bank_sbom.pk
    detail = client.get(f"{API}/sboms/{body['id']}/").json()
    assert detail["url"].endswith(f"/api/sbom/sboms/{body['id']}/") and detail["display"]


def test_upload_of_a_broken_file_is_400_naming_the_place_and_stores_nothing(world):
    before = (Sbom.objects.count(), Component.objects.count())
    response = _upload(world.client(world.bank_analyst), world.core, b'{"bomFormat": "CycloneDX",\n "components": [}')
    assert response.status_code == 400
    assert "line 2 column" in json.dumps(response.json())
    assert (Sbom.objects.count(), Component.objects.count()) == before


def test_upload_to_another_organisations_system_or_as_a_reader_is_refused(world):
    assert _upload(world.client(world.bank_analyst), world.claims, kb.cyclonedx()).status_code == 400
    assert _upload(world.client(world.bank_auditor), world.core, kb.cyclonedx()).status_code == 403
    assert Sbom.objects.count() == 2


def test_another_organisations_objects_answer_404(world):
    client = world.client(world.bank_analyst)
    other_finding = world.insurer_sbom.findings.first()
    other_component = world.insurer_sbom.components.first()
    for url in (f"{API}/sboms/{world.insurer_sbom.pk}/", f"{API}/sboms/{world.insurer_sbom.pk}/tree/",
                f"{API}/sboms/{world.insurer_sbom.pk}/sarif/", f"{API}/sboms/{world.insurer_sbom.pk}/vex/",
                f"{API}/findings/{other_finding.pk}/", f"{API}/components/{other_component.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{API}/findings/{other_finding.pk}/decide/", {"status": "fixed"}).status_code == 404
    listed = client.get(f"{API}/findings/").json()["results"]
    assert {f["owner"] for f in listed} == {"bank-a"}


def test_findings_list_in_priority_order_with_filters(world, django_assert_max_num_queries):
    client = world.client(world.bank_analyst)
    with django_assert_max_num_queries(12):
        rows = client.get(f"{API}/findings/").json()["results"]
    assert [r["vuln_id"] for r in rows] == ["GO-TEST-3", "GHSA-test-2", "PYSEC-TEST-1"]
    assert rows[0]["kev"] and rows[0]["reason"].startswith("known exploited")
    assert [r["vuln_id"] for r in client.get(f"{API}/findings/?vulnerability=CVE-2099-0001").json()["results"]] == [
        "PYSEC-TEST-1"]
    assert [r["vuln_id"] for r in client.get(f"{API}/findings/?kev=true").json()["results"]] == ["GO-TEST-3"]
    assert client.get(f"{API}/findings/?severity=critical").json()["count"] == 1


def test_decide_records_the_decision_and_detail_shows_history_and_paths(world):
    client = world.client(world.bank_analyst)
    finding = world.bank_sbom.findings.get(vuln_id="GO-TEST-3")
    refused = client.post(f"{API}/findings/{finding.pk}/decide/", {"status": "not_affected"}, format="json")
    assert refused.status_code == 400 and "justification" in json.dumps(refused.json())
    ok = client.post(f"{API}/findings/{finding.pk}/decide/",
                     {"status": "not_affected", "justification": "code_not_reachable", "detail": "no logger"},
                     format="json")
    assert ok.status_code == 200
    body = client.get(f"{API}/findings/{finding.pk}/").json()
    assert body["status"] == "not_affected" and body["decisions"][0]["decided_by"] == "bank-analyst"
    assert body["paths"] == [["payments-api@1.0", "Django@3.2.0", "gin@1.5.0"]]
    assert body["advisory"]["osv_id"] == "GO-TEST-3"
    assert world.client(world.bank_auditor).post(f"{API}/findings/{finding.pk}/decide/", {"status": "fixed"},
                                                 format="json").status_code == 404  # as if it did not exist for a reader


def test_component_usage_answers_where_a_library_is_used(world):
    second = kb.system(world.bank, "Mobile")
    actions.ingest_sbom(world.bank_analyst, second, kb.cyclonedx(django="4.2.0"), "m.json")
    usage = world.client(world.bank_analyst).get(f"{API}/components/usage/?q=pkg:pypi/Django").json()
    assert len(usage) == 1 and usage[0]["package"] == "django"
    versions = {v["version"]: [s["system"] for s in v["systems"]] for v in usage[0]["versions"]}
    assert versions == {"3.2.0": ["Core banking"], "4.2.0": ["Mobile"]}  # Claims (insurer) is not visible
    by_name = world.client(world.bank_analyst).get(f"{API}/components/?name=lodash").json()
    assert {c["system_name"] for c in by_name["results"]} == {"Core banking", "Mobile"}


def test_sector_view_aggregates_for_the_hub_unless_shared(world):
    third = kb.system(world.insurer, "Policy admin", criticality="high")
    actions.ingest_sbom(world.insurer_analyst, third, kb.cyclonedx(), "p.json")  # django 3.2.0 again
    hub = world.client(world.hub_analyst)
    view = hub.get(f"{API}/sector/?vulnerability=CVE-2099-0001").json()
    assert view["ids"] == ["CVE-2099-0001", "PYSEC-TEST-1"]
    assert [m["member"] for m in view["members"]] == ["Bank A", "Insurer B"]  # critical service first
    bank, insurer = view["members"]
    assert (bank["systems"], bank["worst_criticality"], bank["services_affected"]) == (1, "critical", 1)
    assert insurer["services_by_criticality"] == {"high": 1}
    assert bank["shared_systems"] == [] and insurer["shared_systems"] == []  # counts only

    core_actions.share_object(world.bank_admin, world.core, tlp_marking="AMBER", recipient_orgs=[world.hub])
    bank = hub.get(f"{API}/sector/?vulnerability=PYSEC-TEST-1").json()["members"][0]
    assert [s["name"] for s in bank["shared_systems"]] == ["Core banking"]
    assert bank["shared_systems"][0]["components"] == ["Django@3.2.0"]

    supervisor = world.client(world.supervisor).get(f"{API}/sector/?vulnerability=CVE-2099-0001").json()
    assert supervisor["totals"] == {"members": 2, "systems": 2, "services": 2}
    member = world.client(world.bank_analyst).get(f"{API}/sector/?vulnerability=CVE-2099-0001").json()
    assert [m["member"] for m in member["members"]] == ["Bank A"]
    assert world.client(world.hub_analyst).get(f"{API}/sector/").json()["members"] == []


def test_exports_and_vex_import_over_the_api(world):
    client = world.client(world.bank_analyst)
    sarif = client.get(f"{API}/sboms/{world.bank_sbom.pk}/sarif/")
    assert sarif.status_code == 200 and json.loads(sarif.content)["version"] == "2.1.0"
    vex = client.get(f"{API}/sboms/{world.bank_sbom.pk}/vex/")
    assert vex["Content-Type"] == "application/vnd.cyclonedx+json"
    openvex = json.dumps({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": {"name": "CVE-2099-0002"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "fixed"}]})
    applied = client.post(f"{API}/sboms/{world.bank_sbom.pk}/vex/",
                          {"file": SimpleUploadedFile("x.openvex.json", openvex.encode())}, format="multipart")
    assert applied.status_code == 200 and applied.json()["applied"] == 1
    assert Finding.objects.get(sbom=world.bank_sbom, vuln_id="GHSA-test-2").status == "fixed"
    assert world.client(world.insurer_analyst).post(
        f"{API}/sboms/{world.bank_sbom.pk}/vex/", {"file": SimpleUploadedFile("x", openvex.encode())},
        format="multipart").status_code == 404


def test_tree_advisories_dashboard_and_feeds(world):
    client = world.client(world.bank_analyst)
    tree = client.get(f"{API}/sboms/{world.bank_sbom.pk}/tree/").json()
    assert tree[0]["label"] == "payments-api@1.0"
    assert [c["label"] for c in tree[0]["children"]] == ["Django@3.2.0", "lodash@4.17.15", "vendored-thing@1.0"]
    assert tree[0]["children"][0]["children"][0]["findings"] == 1
    assert client.get(f"{API}/advisories/?id=CVE-2099-0002").json()["results"][0]["osv_id"] == "GHSA-test-2"
    assert client.get(f"{API}/advisories/GO-TEST-3/").json()["aliases"] == ["CVE-2099-0003"]
    dashboard = client.get(f"{API}/dashboard/").json()
    assert dashboard["open"] == 3 and dashboard["kev"] == 1 and dashboard["by_severity"]["critical"] == 1
    assert dashboard["trend"][-1]["total"] == 3
    assert {f["feed"] for f in client.get(f"{API}/feeds/").json()["results"]} == {"osv", "kev", "epss"}


def test_cyclonedx_vex_in_xml_over_the_api(world):
    client = world.client(world.bank_analyst)
    xml = client.get(f"{API}/sboms/{world.bank_sbom.pk}/vex/?encoding=xml")
    assert xml.status_code == 200 and xml["Content-Type"] == "application/vnd.cyclonedx+xml"
    assert xml["Content-Disposition"].endswith('.vex.cdx.xml"') and b"<id>GO-TEST-3</id>" in xml.content
    assert client.get(f"{API}/sboms/{world.bank_sbom.pk}/vex/?encoding=yaml").status_code == 400
    data = (__import__("pathlib").Path(__file__).parent / "data" / "vex" / "cdx-1.6-vex.xml").read_bytes()
    applied = client.post(f"{API}/sboms/{world.bank_sbom.pk}/vex/",
                          {"file": SimpleUploadedFile("supplier.vex.xml", data)}, format="multipart")
    assert applied.status_code == 200 and applied.json()["applied"] == 3
    assert Finding.objects.get(sbom=world.bank_sbom, vuln_id="GO-TEST-3").status == "affected"
    broken = client.post(f"{API}/sboms/{world.bank_sbom.pk}/vex/",
                         {"file": SimpleUploadedFile("x.xml", data.replace(b"exploitable", b"maybe"))},
                         format="multipart")
    assert broken.status_code == 400 and "vulnerability[1]/analysis/state" in json.dumps(broken.json())
