"""Bulk import and export of the inventory: the documented example, round trips, and refusals that
name row and field and leave the database exactly as it was."""

import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from forceb.core import actions as core_actions
from forceb.core.choices import OrganizationKind
from forceb.core.models import AuditEntry
from forceb.inventory import choices, io
from forceb.inventory.actions import import_inventory
from forceb.inventory.io import ImportRejected, export_inventory
from forceb.inventory.models import BusinessService, Dependency, Supplier, SupplierRelationship, System

DOC = Path(__file__).resolve().parents[2] / "docs" / "inventory-import.md"


def doc_examples() -> dict[str, str]:
    """The fenced examples of docs/inventory-import.md, by info string (``json``, ``csv services``...)."""
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"```(json|csv \w+)\n(.*?)```", DOC.read_text(), re.S)}


def stored() -> dict:
    """Everything an import could write, counted (token-use entries of API calls aside)."""
    return {
        "services": BusinessService.objects.count(), "systems": System.objects.count(),
        "suppliers": Supplier.objects.count(), "relationships": SupplierRelationship.objects.count(),
        "dependencies": Dependency.objects.count(),
        "audit": AuditEntry.objects.exclude(action="token-use").count(),
    }


def load_docs_example(user):
    examples = doc_examples()
    import_inventory(user, examples["json"], fmt="json")
    import_inventory(user, examples["csv services"], fmt="csv", kind="services")
    return import_inventory(user, examples["csv dependencies"], fmt="csv", kind="dependencies")


def without_header(document: str) -> dict:
    data = json.loads(document)
    data.pop("organization")
    data.pop("exported_at")
    return data


def rejected(user, payload, **kwargs) -> list[io.Problem]:
    before = stored()
    with pytest.raises(ImportRejected) as caught:
        import_inventory(user, payload, **kwargs)
    assert stored() == before, "a refused file must leave nothing behind"
    return caught.value.problems


def named(problems) -> set[tuple[str, str]]:
    return {(p.row, p.field) for p in problems}


# -- the documented format ---------------------------------------------------------------------------

def test_the_documented_example_imports(sector):
    load_docs_example(sector.bank_admin)
    bank = BusinessService.objects.filter(owner=sector.bank)
    assert set(bank.values_list("name", flat=True)) == {"Online banking", "Mobile banking", "ATM network"}
    assert System.objects.get(owner=sector.bank, name="Internet banking platform").cloud_provider.kind == "cloud"
    fourth = Dependency.objects.get(owner=sector.bank, kind="supplier-supplier")
    assert (fourth.source_supplier.registry_id, fourth.target_supplier.registry_id) == ("90000011",
                                                                                        "5493DEMONIMBUS000001")
    assert Dependency.objects.filter(owner=sector.bank).count() == 6
    entry = AuditEntry.objects.filter(action="import").order_by("-seq").first()
    assert entry.actor == sector.bank_admin and entry.after["created"]["dependencies"] == 2


def test_the_documented_refusal_messages_are_the_real_ones(sector):
    load_docs_example(sector.bank_admin)
    csv_file = ("name,impact_tolerance_minutes,rto_minutes\nPayments,60,30\nCards,60,90\n")
    problems = rejected(sector.bank_admin, csv_file, fmt="csv", kind="services")
    assert [str(p) for p in problems] == ["line 3, field rto_minutes: RTO must not exceed the impact tolerance"]
    deps = "source_type,source_name,target_type,target_name\nservice,ATM network,system,Mainframe\n"
    problems = rejected(sector.bank_admin, deps, fmt="csv", kind="dependencies")
    assert [str(p) for p in problems] == [
        "line 2, field target_name: no system named 'Mainframe' in this file or in your organisation"]


def test_schema_choices_match_the_models():
    defs = io.schema()["$defs"]
    assert defs["criticality"]["enum"] == choices.Criticality.values
    assert defs["registry_kind"]["enum"] == choices.RegistryKind.values
    assert defs["supplier"]["properties"]["kind"]["enum"] == choices.SupplierKind.values
    assert defs["system"]["properties"]["hosting"]["enum"] == choices.Hosting.values
    assert defs["system"]["properties"]["environment"]["enum"] == choices.Environment.values
    for kind, columns in io.COLUMNS.items():
        record = defs[io.RECORD_DEFS[kind]]["properties"]
        assert {c.path[0] for c in columns} == set(record), kind


# -- round trips and upserts ------------------------------------------------------------------------

def test_json_round_trip_into_a_fresh_organisation(sector):
    load_docs_example(sector.bank_admin)
    first = export_inventory(sector.bank_admin, fmt="json")
    fresh = core_actions.create_organization(slug="fresh", name="Fresh Bank", kind=OrganizationKind.MEMBER,
                                             sector="bank", tier=3)
    admin = core_actions.create_user(username="fresh-admin", organization=fresh, role="member-admin")
    result = import_inventory(admin, first, fmt="json")
    assert result.created["services"] == 3 and result.unchanged["suppliers"] == 2
    second = export_inventory(admin, fmt="json")
    assert without_header(second) == without_header(first)
    assert json.loads(second)["organization"] == "fresh"


def test_csv_round_trip_kind_by_kind(sector):
    load_docs_example(sector.bank_admin)
    files = {kind: export_inventory(sector.bank_admin, fmt="csv", kind=kind) for kind in io.KINDS}
    for kind in io.KINDS:
        import_inventory(sector.insurer_admin, files[kind], fmt="csv", kind=kind)
    for kind in io.KINDS:
        assert export_inventory(sector.insurer_admin, fmt="csv", kind=kind) == files[kind], kind


def test_importing_the_same_file_again_changes_nothing(sector):
    load_docs_example(sector.bank_admin)
    document = export_inventory(sector.bank_admin, fmt="json")
    before = AuditEntry.objects.count()
    result = import_inventory(sector.bank_admin, document, fmt="json")
    assert result.changed == 0
    assert sum(result.unchanged.values()) == 2 + 3 + 2 + 1 + 6
    # Only the import's own summary entry: no row was written.
    assert list(AuditEntry.objects.filter(seq__gt=before).values_list("action", flat=True)) == ["import"]


def test_an_import_updates_by_natural_key_and_keeps_absent_fields(sector):
    load_docs_example(sector.bank_admin)
    result = import_inventory(sector.bank_admin, "name,criticality\nATM network,high\n", fmt="csv", kind="services")
    assert result.updated["services"] == 1 and result.created["services"] == 0
    atm = BusinessService.objects.get(owner=sector.bank, name="ATM network")
    assert (atm.criticality, atm.impact_tolerance_minutes, atm.rto_minutes) == ("high", 480, 240)
    change = AuditEntry.objects.filter(action="update", object_type="inventory.businessservice").latest("seq")
    assert change.before["criticality"] == "critical" and change.after["criticality"] == "high"


def test_dry_run_checks_and_stores_nothing(sector):
    before = stored()
    result = import_inventory(sector.bank_admin, doc_examples()["json"], fmt="json", dry_run=True)
    assert result.dry_run and result.created["services"] == 1
    assert stored() == before


def test_csv_formula_cells_are_defused_on_export_and_restored_on_import(sector):
    import_inventory(sector.bank_admin, 'name,description\nPayroll,"=HYPERLINK(""http://x"")"\n', fmt="csv",
                     kind="services")
    exported = export_inventory(sector.bank_admin, fmt="csv", kind="services")
    assert "'=HYPERLINK" in exported
    import_inventory(sector.insurer_admin, exported, fmt="csv", kind="services")
    assert BusinessService.objects.get(owner=sector.insurer).description == '=HYPERLINK("http://x")'


# -- the registry ------------------------------------------------------------------------------------

def test_members_add_registry_entries_but_do_not_rewrite_them(sector):
    Supplier.objects.create(name="Curated Name", registry_kind="tax-id", registry_id="90000011", kind="core-banking")
    result = import_inventory(sector.bank_admin, doc_examples()["json"], fmt="json")
    assert result.created["suppliers"] == 1 and result.unchanged["suppliers"] == 1
    assert Supplier.objects.get(registry_id="90000011").name == "Curated Name"
    assert "the hub curates the registry" in result.notes[0]


# -- tenancy -----------------------------------------------------------------------------------------

def test_references_never_reach_another_organisations_objects(sector):
    import_inventory(sector.insurer_admin, "name\nMainframe\n", fmt="csv", kind="systems")
    import_inventory(sector.bank_admin, "name\nClaims\n", fmt="csv", kind="services")
    deps = "source_type,source_name,target_type,target_name\nservice,Claims,system,Mainframe\n"
    problems = rejected(sector.bank_admin, deps, fmt="csv", kind="dependencies")
    assert named(problems) == {("line 2", "target_name")}
    assert "in your organisation" in problems[0].message
    # The same name on both sides stays two objects, each in its own organisation.
    import_inventory(sector.bank_admin, "name,hosting\nMainframe,hybrid\n", fmt="csv", kind="systems")
    assert System.objects.get(owner=sector.insurer, name="Mainframe").hosting == "on-premises"


def test_export_holds_only_the_organisations_own_rows(sector):
    import_inventory(sector.insurer_admin, "name,description\nClaims,insurer private\n", fmt="csv",
                     kind="services")
    claims = BusinessService.objects.get(owner=sector.insurer)
    core_actions.share_object(sector.insurer_admin, claims, tlp_marking="AMBER", recipient_orgs=[sector.bank])
    assert BusinessService.objects.restrict(sector.bank_admin).filter(pk=claims.pk).exists()
    assert "insurer private" not in export_inventory(sector.bank_admin, fmt="json")
    assert "Claims" not in export_inventory(sector.bank_admin, fmt="csv", kind="services")


@pytest.mark.parametrize("person", ["bank_auditor", "supervisor", "hub_analyst", "platform_admin"])
def test_only_a_members_writers_import(sector, person):
    before = stored()
    with pytest.raises(PermissionDenied):
        import_inventory(getattr(sector, person), doc_examples()["json"], fmt="json")
    assert stored() == before


# -- refusals ----------------------------------------------------------------------------------------

def test_every_problem_of_a_csv_file_is_listed_with_line_and_field(sector):
    csv_file = (
        "name,criticality,impact_tolerance_minutes,rto_minutes,rpo_minutes,colour\n"
        "Payments,critical,60,30,5,red\n"         # unknown column only (reported on the header)
        "Cards,urgent,60,30,5,\n"                 # invalid choice
        "ATM,high,60,-5,5,\n"                     # negative number
        "Branch,high,60,90,5,\n"                  # RTO above the tolerance
        "Payments,low,,,,\n"                      # the same key twice
        "Remittance,low,sixty,,,\n"               # not a number
        "Short,low\n"                             # missing cells
    )
    problems = rejected(sector.bank_admin, csv_file, fmt="csv", kind="services")
    assert named(problems) == {
        ("line 1", "colour"), ("line 3", "criticality"), ("line 4", "rto_minutes"), ("line 5", "rto_minutes"),
        ("line 6", "name"), ("line 7", "impact_tolerance_minutes"), ("line 8", ""),
    }
    assert [p.row for p in problems] == sorted((p.row for p in problems), key=lambda r: int(r.split()[1]))


def test_every_problem_of_a_json_document_is_listed_with_its_pointer(sector):
    document = {
        "format": "forceb-inventory", "version": 1,
        "services": [{"name": "Payments", "impact_tolerance_minutes": 60, "rto_minutes": 30},
                     {"name": "Cards", "rto_minutes": 90, "impact_tolerance_minutes": 60, "id": 7},
                     {"name": "Payments"}],
        "systems": [{"name": "Core", "hosting": "on-premises",
                     "cloud_provider": {"registry_kind": "lei", "registry_id": "NOT-IN-REGISTRY"}},
                    {"name": "Web", "hosting": "mainframe"}],
        "relationships": [{"supplier": {"registry_kind": "vat", "registry_id": "1"}, "data_access": "yes"}],
        "dependencies": [{"source": {"type": "service", "name": "Payments"}, "target": {"type": "system",
                                                                                        "name": "Ghost"}},
                         {"source": {"type": "service", "name": "Payments"},
                          "target": {"type": "supplier", "registry_kind": "lei", "registry_id": "X"}},
                         {"source": {"type": "system", "name": "Web"}, "target": {"type": "system",
                                                                                  "name": "Web"}}],
    }
    problems = rejected(sector.bank_admin, json.dumps(document), fmt="json")
    found = named(problems)
    assert {("/services/1", "id"), ("/services/1", "rto_minutes"), ("/services/2", "name"),
            ("/systems/0", "cloud_provider/registry_id"), ("/systems/1", "hosting"),
            ("/relationships/0", "supplier/registry_kind"), ("/relationships/0", "data_access"),
            ("/dependencies/0", "target/name"), ("/dependencies/1", "target/registry_id")} <= found
    # "Web" was refused itself, so the edge that names it is not reported a second time.
    assert not any(row == "/dependencies/2" for row, _ in found)


def test_a_file_refused_halfway_leaves_nothing(sector):
    load_docs_example(sector.bank_admin)
    document = json.loads(export_inventory(sector.bank_admin, fmt="json"))
    document["services"].append({"name": "Late problem", "impact_tolerance_minutes": 10, "rto_minutes": 20})
    document["services"][0]["criticality"] = "low"  # a valid change that must not survive
    document["dependencies"].append({"source": {"type": "service", "name": "Late problem"},
                                     "target": {"type": "system", "name": "Core banking"}})
    before = {s.name: s.criticality for s in BusinessService.objects.filter(owner=sector.bank)}
    problems = rejected(sector.bank_admin, json.dumps(document), fmt="json")
    assert named(problems) == {("/services/3", "rto_minutes")}
    assert {s.name: s.criticality for s in BusinessService.objects.filter(owner=sector.bank)} == before


def test_an_rto_above_the_stored_tolerance_is_refused(sector):
    load_docs_example(sector.bank_admin)  # ATM network: tolerance 480
    problems = rejected(sector.bank_admin, "name,rto_minutes\nATM network,600\n", fmt="csv", kind="services")
    assert named(problems) == {("line 2", "rto_minutes")}


@pytest.mark.parametrize(("payload", "fmt", "kind", "where", "says"), [
    ("name\nCafé\n".encode("latin-1"), "csv", "services", "line 2", "not UTF-8"),
    ("name\nA\n".encode("utf-16"), "csv", "services", "file", "UTF-16"),
    (b"", "csv", "services", "file", "empty"),
    (b"name\nA\n", "csv", None, "file", "one kind"),
    (b"name\nA\n", "xml", "services", "file", "unknown format"),
    (b"name\nA\n", "csv", "people", "file", "unknown kind"),
    (b"description\nA\n", "csv", "services", "line 1", "required column missing"),
    (b"name,name\nA,B\n", "csv", "services", "line 1", "twice"),
    (b'name\n"unterminated\n', "csv", "services", "line 2", "unreadable CSV"),
    (b"name\nA\x00B\n", "csv", "services", "line 2", "NUL"),
    (b'{"format": "forceb-inventory", "version": 1,', "json", None, "line 1", "not valid JSON"),
    (b'{"format": "forceb-inventory", "version": 1, "version": 2}', "json", None, "file", "twice"),
    (b'{"format": "forceb-inventory", "version": 2}', "json", None, "/", "must be 1"),
    (b'{"format": "forceb-inventory", "version": 1, "people": []}', "json", None, "/", "unknown field"),
    (b'{"format": "forceb-inventory", "version": 1, "services": {}}', "json", None, "/", "list"),
    (b'[1, 2]', "json", None, "/", "JSON object"),
    (b'{"format": "forceb-inventory", "version": 1, "services": [{"name": NaN}]}', "json", None, "file", "NaN"),
    (b"[" * 100000 + b"]" * 100000, "json", None, "file", "not valid JSON"),
    (b'{"format": "forceb-inventory", "version": 1, "services": [{"name": "a\\u0000"}]}', "json", None,
     "/services/0", "NUL"),
    (b'{"format": "forceb-inventory", "version": 1, "services": [{"name": "\\ud800"}]}', "json", None,
     "/services/0", "not valid Unicode"),
    (b'{"format": "forceb-inventory", "version": 1, "systems": [{"name": "A"}]}', "json", "services", "file",
     "also holds systems"),
    (b'{"format": "forceb-inventory", "version": 1, "services": [{"name": "A", "rto_minutes": 99999999999}]}',
     "json", None, "/services/0", "at most"),
])
def test_malformed_files_are_refused_with_a_located_message(sector, payload, fmt, kind, where, says):
    problems = rejected(sector.bank_admin, payload, fmt=fmt, kind=kind)
    assert any(p.row == where and says in p.message for p in problems), [str(p) for p in problems]


def test_a_byte_order_mark_is_accepted(sector):
    import_inventory(sector.bank_admin, "\ufeffname\nPayments\n".encode(), fmt="csv", kind="services")
    assert BusinessService.objects.filter(owner=sector.bank, name="Payments").exists()


def test_huge_files_are_refused_before_parsing(sector, settings):
    settings.FORCEB_IMPORT_MAX_BYTES = 1000
    problems = rejected(sector.bank_admin, b"name\n" + b"x\n" * 600, fmt="csv", kind="services")
    assert "larger than 1000 bytes" in problems[0].message
