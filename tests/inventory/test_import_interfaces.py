"""The import and export through the API and the CLI, and a fuzz of the readers."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from forceb.inventory import io
from forceb.inventory.actions import import_inventory
from forceb.inventory.io import ImportRejected
from forceb.inventory.models import BusinessService, System

from .test_import_export import doc_examples, load_docs_example, stored

IMPORT = "/api/inventory/import/"
EXPORT = "/api/inventory/export/"


# -- API ---------------------------------------------------------------------------------------------

def test_api_import_of_a_multipart_file(sector):
    upload = SimpleUploadedFile("services.csv", doc_examples()["csv services"].encode(), content_type="text/csv")
    response = sector.client(sector.bank_analyst).post(IMPORT, {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["created"]["services"] == 2
    assert BusinessService.objects.filter(owner=sector.bank).count() == 2


def test_api_import_of_a_raw_json_body(sector):
    client = sector.client(sector.bank_admin)
    response = client.post(IMPORT + "?format=json", data=doc_examples()["json"], content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == {"suppliers": 2, "services": 1, "systems": 2, "relationships": 1,
                                          "dependencies": 4}


def test_api_import_refusal_lists_every_problem_and_stores_nothing(sector):
    client = sector.client(sector.bank_admin)
    before = stored()
    body = "name,rto_minutes,impact_tolerance_minutes\nA,90,60\nB,-1,\n"
    response = client.post(IMPORT + "?format=csv&kind=services", data=body,
                                                     content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": "line 2", "field": "rto_minutes", "message": "RTO must not exceed the impact tolerance"},
        {"row": "line 3", "field": "rto_minutes", "message": "must be at least 0, not -1"},
    ]
    assert stored() == before


def test_api_import_dry_run(sector):
    client = sector.client(sector.bank_admin)
    before = stored()
    response = client.post(IMPORT + "?format=json&dry_run=1",
                                                     data=doc_examples()["json"], content_type="application/json")
    assert response.status_code == 200 and response.json()["dry_run"] is True
    assert stored() == before


@pytest.mark.parametrize(("query", "body", "says"), [
    ("", b"name\nA\n", "unknown format"),
    ("?format=csv", b"name\nA\n", "one kind"),
    ("?format=json", b"", "no file"),
])
def test_api_import_says_what_is_missing(sector, query, body, says):
    response = sector.client(sector.bank_admin).post(IMPORT + query, data=body, content_type="application/octet-stream")
    assert response.status_code == 400
    assert says in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("person", ["bank_auditor", "supervisor", "hub_analyst", "platform_admin"])
def test_api_import_is_not_there_for_other_roles(sector, person):
    client = sector.client(getattr(sector, person))
    before = stored()
    response = client.post(IMPORT + "?format=json", data=doc_examples()["json"],
                                                           content_type="application/json")
    assert response.status_code == 404
    assert stored() == before


def test_api_import_needs_a_signed_in_person(sector):
    response = APIClient().post(IMPORT + "?format=json", data=doc_examples()["json"], content_type="application/json")
    assert response.status_code in (401, 403)


def test_api_export_json_and_csv_of_the_own_organisation_only(sector):
    load_docs_example(sector.bank_admin)
    import_inventory(sector.insurer_admin, "name\nClaims\n", fmt="csv", kind="services")
    client = sector.client(sector.bank_auditor)
    response = client.get(EXPORT + "?format=json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert document["organization"] == "bank-a"
    assert {s["name"] for s in document["services"]} == {"Online banking", "Mobile banking", "ATM network"}
    response = client.get(EXPORT + "?format=csv&kind=systems")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="bank-a-systems.csv"' in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0] == ",".join(c.header for c in io.COLUMNS["systems"])
    assert client.get(EXPORT + "?format=csv").status_code == 400
    assert client.get(EXPORT + "?format=xml").status_code == 400


def test_api_export_then_import_elsewhere(sector):
    load_docs_example(sector.bank_admin)
    exported = sector.client(sector.bank_admin).get(EXPORT + "?format=json").content
    response = sector.client(sector.insurer_admin).post(IMPORT + "?format=json", data=exported,
                                                        content_type="application/json")
    assert response.status_code == 200, response.content
    assert System.objects.filter(owner=sector.insurer).count() == 2


def test_api_schema_is_public_and_is_the_shipped_schema(db):
    response = APIClient().get("/api/inventory/schema/")
    assert response.status_code == 200
    assert response.json() == io.schema()
    assert response.json()["properties"]["format"]["const"] == io.FORMAT


# -- CLI ---------------------------------------------------------------------------------------------

def test_cli_import_and_export(sector, tmp_path, capsys):
    path = tmp_path / "inventory.json"
    path.write_text(doc_examples()["json"])
    call_command("inventory", "import", str(path), "--as", "bank-admin")
    assert capsys.readouterr().out.strip() == "10 created, 0 updated, 0 unchanged"
    assert System.objects.filter(owner=sector.bank).count() == 2
    services = tmp_path / "services.csv"
    services.write_text(doc_examples()["csv services"])
    call_command("inventory", "import", str(services), "--as", "bank-admin")  # kind from the file name
    assert BusinessService.objects.filter(owner=sector.bank).count() == 3
    capsys.readouterr()
    call_command("inventory", "export", "--format", "csv", "--kind", "services", "--as", "bank-auditor")
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("name,description,criticality")
    assert len(out.splitlines()) == 4
    target = tmp_path / "out.json"
    call_command("inventory", "export", "--output", str(target), "--as", "bank-admin")
    assert len(json.loads(target.read_text())["dependencies"]) == 4


def test_cli_refusal_exits_2_with_every_problem(sector, tmp_path, capsys):
    path = tmp_path / "services.csv"
    path.write_text("name,rto_minutes,impact_tolerance_minutes\nA,90,60\nB,-1,\n")
    before = stored()
    with pytest.raises(CommandError) as caught:
        call_command("inventory", "import", str(path), "--as", "bank-admin")
    assert caught.value.returncode == 2
    err = capsys.readouterr().err
    assert "line 2, field rto_minutes: RTO must not exceed the impact tolerance" in err
    assert "line 3, field rto_minutes: must be at least 0" in err
    assert stored() == before


def test_cli_dry_run_and_bad_invocations(sector, tmp_path):
    path = tmp_path / "inventory.json"
    path.write_text(doc_examples()["json"])
    before = stored()
    call_command("inventory", "import", str(path), "--dry-run", "--as", "bank-admin")
    assert stored() == before
    with pytest.raises(CommandError) as caught:
        call_command("inventory", "import", str(path), "--as", "supervisor")
    assert caught.value.returncode == 1
    with pytest.raises(CommandError):
        call_command("inventory", "import", str(path), "--as", "nobody")
    odd = tmp_path / "inventory.txt"
    odd.write_text("name\nA\n")
    with pytest.raises(CommandError) as caught:
        call_command("inventory", "import", str(odd), "--as", "bank-admin")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError) as caught:
        call_command("inventory", "export", "--format", "csv", "--as", "bank-admin")
    assert caught.value.returncode == 2


# -- fuzz --------------------------------------------------------------------------------------------

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
field_names = st.sampled_from(["name", "rto_minutes", "impact_tolerance_minutes", "criticality", "hosting",
                               "cloud_provider", "supplier", "registry_kind", "registry_id", "source", "target",
                               "type", "data_access", "kind", "country", "bogus"])
records = st.dictionaries(field_names, json_values | st.text(max_size=10), max_size=6)
near_documents = st.fixed_dictionaries(
    {"format": st.just("forceb-inventory"), "version": st.just(1)},
    optional={kind: st.lists(records, max_size=4) for kind in io.KINDS},
)


def _import_or_refuse(user, payload, **kwargs) -> None:
    """A payload either imports or is refused as a whole: nothing else may escape, nothing half-stored."""
    before = stored()
    try:
        import_inventory(user, payload, **kwargs)
    except ImportRejected as rejected:
        assert rejected.problems
        assert all(p.row for p in rejected.problems)
        assert stored() == before


@FUZZ
@given(payload=st.binary(max_size=300), kind=st.sampled_from(io.KINDS))
def test_fuzz_csv_bytes(sector, payload, kind):
    _import_or_refuse(sector.bank_admin, payload, fmt="csv", kind=kind)


@FUZZ
@given(kind=st.sampled_from(io.KINDS), rows=st.lists(st.lists(st.text(max_size=8), max_size=8), max_size=5))
def test_fuzz_csv_with_a_real_header(sector, kind, rows):
    header = ",".join(c.header for c in io.COLUMNS[kind])
    body = "\n".join(",".join(json.dumps(cell) for cell in row) for row in rows)
    _import_or_refuse(sector.bank_admin, f"{header}\n{body}", fmt="csv", kind=kind)


@FUZZ
@given(payload=st.binary(max_size=300))
def test_fuzz_json_bytes(sector, payload):
    _import_or_refuse(sector.bank_admin, payload, fmt="json")


@FUZZ
@given(document=json_values)
def test_fuzz_json_structures(sector, document):
    _import_or_refuse(sector.bank_admin, json.dumps(document), fmt="json")


@FUZZ
@given(document=near_documents)
def test_fuzz_documents_shaped_like_the_schema_with_one_sure_problem(sector, document):
    # Whatever else is in it, one bad row makes the whole document refused and nothing stored.
    document.setdefault("services", []).append({"name": "Always wrong", "rto_minutes": -1})
    before = stored()
    with pytest.raises(ImportRejected):
        import_inventory(sector.bank_admin, json.dumps(document), fmt="json")
    assert stored() == before
