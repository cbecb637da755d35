"""The web UI through Django's test client: who reaches which page, what the forms refuse, what
each role's dashboard shows, and the page-wide promises (CSP, no inline script, 404 for others' rows)."""

import re
from pathlib import Path

import plotly
import pytest
from django.db import connection
from django.urls import reverse

from forceb.core import actions
from forceb.core.models import AuditEntry, Share
from forceb.inventory import forms as inventory_forms
from forceb.inventory import queries
from forceb.inventory.models import BusinessService, Dependency, Supplier, SupplierRelationship, System

ROLES = ("bank_admin", "bank_analyst", "bank_auditor", "hub_analyst", "platform_admin", "supervisor")


def text(response) -> str:
    return response.content.decode()


# --- pages render for the right people --------------------------------------------------------

def member_pages(inv):
    return [
        reverse("web:service-list"), reverse("web:system-list"), reverse("web:relationship-list"),
        reverse("web:dependency-list"), reverse("web:supplier-list"),
        reverse("web:service-detail", args=[inv.payments.pk]), reverse("web:service-why", args=[inv.payments.pk]),
        reverse("web:system-detail", args=[inv.core.pk]), reverse("web:system-why", args=[inv.core.pk]),
        reverse("web:relationship-detail", args=[inv.relationship.pk]),
        reverse("web:dependency-detail", args=[inv.dependencies[0].pk]),
        reverse("web:supplier-detail", args=[inv.cloud.pk]),
    ]


def writer_pages(inv):
    return [
        reverse("web:service-create"), reverse("web:system-create"), reverse("web:relationship-create"),
        reverse("web:dependency-create"), reverse("web:supplier-create"),
        reverse("web:service-edit", args=[inv.payments.pk]), reverse("web:service-delete", args=[inv.payments.pk]),
        reverse("web:system-edit", args=[inv.core.pk]), reverse("web:relationship-edit", args=[inv.relationship.pk]),
        reverse("web:dependency-edit", args=[inv.dependencies[0].pk]),
    ]


@pytest.mark.parametrize("who", ["bank_admin", "bank_analyst"])
def test_member_writers_reach_every_inventory_page(sector, inventory, ui, who):
    client = ui(getattr(sector, who))
    for path in member_pages(inventory) + writer_pages(inventory):
        assert client.get(path).status_code == 200, path


def test_auditor_reads_every_page_of_its_organisation_but_no_write_page(sector, inventory, ui):
    client = ui(sector.bank_auditor)
    for path in member_pages(inventory):
        assert client.get(path).status_code == 200, path
    for path in writer_pages(inventory):
        assert client.get(path).status_code == 404, path
    before = BusinessService.objects.get(pk=inventory.payments.pk).name
    response = client.post(reverse("web:service-edit", args=[inventory.payments.pk]), {"name": "changed"})
    assert response.status_code == 404
    assert BusinessService.objects.get(pk=inventory.payments.pk).name == before


def test_anonymous_visitors_are_sent_to_sign_in(db, inventory):
    from django.test import Client

    for path in ["/", reverse("web:service-list"), reverse("web:service-detail", args=[inventory.payments.pk]),
                 reverse("web:audit")]:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("web:login")), path


def test_another_organisations_rows_answer_404_on_every_page(sector, inventory, ui):
    client = ui(sector.bank_admin)
    hidden = [("service", inventory.claims.pk), ("system", inventory.claims_system.pk),
              ("relationship", inventory.claims_relationship.pk), ("dependency", inventory.claims_dependency.pk)]
    for route, pk in hidden:
        for page in ("detail", "edit", "delete", "why"):
            assert client.get(reverse(f"web:{route}-{page}", args=[pk])).status_code == 404, (route, page)
    response = client.post(reverse("web:service-delete", args=[inventory.claims.pk]))
    assert response.status_code == 404
    assert BusinessService.objects.filter(pk=inventory.claims.pk).exists()
    response = client.post(reverse("web:service-detail", args=[inventory.claims.pk]), {"tlp": "GREEN", "hub": "on"})
    assert response.status_code == 404
    assert not Share.objects.filter(object_id=inventory.claims.pk).exists()


def test_lists_show_only_what_the_person_may_see(sector, inventory, ui):
    body = text(ui(sector.bank_admin).get(reverse("web:service-list")))
    assert "Retail payments" in body and "Claims handling secret" not in body
    body = text(ui(sector.bank_admin).get(reverse("web:system-list")))
    assert "Core banking" in body and "Claims engine secret" not in body
    body = text(ui(sector.hub_analyst).get(reverse("web:service-list")))
    assert "Retail payments" not in body and "Claims handling secret" not in body


def test_registry_is_read_by_all_and_corrected_by_the_hub_only(sector, inventory, ui):
    edit = reverse("web:supplier-edit", args=[inventory.cloud.pk])
    for who in ROLES:
        assert ui(getattr(sector, who)).get(reverse("web:supplier-detail", args=[inventory.cloud.pk])).status_code == 200
    assert ui(sector.bank_admin).get(edit).status_code == 404
    hub = ui(sector.hub_analyst)
    data = {"name": "Nimbus Cloud Taiwan", "registry_kind": "tax-id", "registry_id": "11111111", "kind": "cloud",
            "country": "TW", "services_provided": "IaaS"}
    assert hub.post(edit, data).status_code == 302
    assert Supplier.objects.get(pk=inventory.cloud.pk).name == "Nimbus Cloud Taiwan"
    # In use by relationships and systems: deleting is refused with a message, not a 500.
    response = hub.post(reverse("web:supplier-delete", args=[inventory.cloud.pk]), follow=True)
    assert "still in use" in text(response)
    assert Supplier.objects.filter(pk=inventory.cloud.pk).exists()


# --- forms: writes go through full_clean, errors come back on the form --------------------------

def test_creating_a_service_owns_it_and_records_it(sector, ui):
    response = ui(sector.bank_analyst).post(reverse("web:service-create"), {
        "name": "Mobile banking", "criticality": "critical", "impact_tolerance_minutes": "240", "rto_minutes": "60"})
    service = BusinessService.objects.get(name="Mobile banking")
    assert response.status_code == 302 and response["Location"] == reverse("web:service-detail", args=[service.pk])
    assert service.owner == sector.bank
    entry = AuditEntry.objects.filter(object_type="inventory.businessservice", object_id=str(service.pk)).get()
    assert entry.action == "create" and entry.actor_username == "bank-analyst"


def test_model_validation_errors_are_shown_on_the_form(sector, inventory, ui):
    client = ui(sector.bank_admin)
    response = client.post(reverse("web:service-create"), {
        "name": "Slow service", "criticality": "low", "impact_tolerance_minutes": "60", "rto_minutes": "120"})
    assert response.status_code == 400
    assert "RTO must not exceed the impact tolerance" in text(response)
    # The (owner, name) constraint is checked by save_object's full_clean.
    response = client.post(reverse("web:service-create"), {"name": "Retail payments", "criticality": "low"})
    assert response.status_code == 400 and "already exists" in text(response)
    response = client.post(reverse("web:system-create"), {
        "name": "Mainframe", "hosting": "on-premises", "environment": "production",
        "cloud_provider": inventory.cloud.pk})
    assert response.status_code == 400 and "an on-premises system has no cloud provider" in text(response)
    assert not BusinessService.objects.filter(name="Slow service").exists()
    assert not System.objects.filter(name="Mainframe").exists()


def test_dependency_form_builds_each_kind_and_refuses_a_kind_that_does_not_exist(sector, inventory, ui):
    client = ui(sector.bank_admin)
    form = text(client.get(reverse("web:dependency-create") + f"?source=service:{inventory.payments.pk}"))
    assert f'value="service:{inventory.payments.pk}" selected' in form
    assert "Claims engine secret" not in form  # another member's systems are not offered
    response = client.post(reverse("web:dependency-create"), {
        "source": f"service:{inventory.payments.pk}", "target": f"system:{inventory.db.pk}", "impact": "slow"})
    created = Dependency.objects.get(source_service=inventory.payments, target_system=inventory.db)
    assert response.status_code == 302 and created.kind == "service-system" and created.owner == sector.bank
    response = client.post(reverse("web:dependency-create"), {
        "source": f"service:{inventory.payments.pk}", "target": f"supplier:{inventory.telco.pk}"})
    assert response.status_code == 400 and "a service cannot depend on a supplier" in text(response)
    response = client.post(reverse("web:dependency-create"), {
        "source": f"service:{inventory.payments.pk}", "target": f"system:{inventory.claims_system.pk}"})
    assert response.status_code == 400 and "Select a valid choice" in text(response)


def test_relationship_picks_a_registry_supplier_or_adds_one_all_or_nothing(sector, inventory, ui):
    client = ui(sector.bank_admin)
    response = client.post(reverse("web:relationship-create"), {"criticality": "high"})
    assert response.status_code == 400 and "Pick a registry supplier" in text(response)
    response = client.post(reverse("web:relationship-create"), {
        "new_supplier_name": "Nimbus again", "new_registry_kind": "tax-id", "new_registry_id": "11111111",
        "new_kind": "cloud", "criticality": "high"})
    assert response.status_code == 400 and "Already in the registry as “Nimbus Cloud”" in text(response)
    response = client.post(reverse("web:relationship-create"), {
        "new_supplier_name": "Island Data Centre", "new_registry_kind": "tax-id", "new_registry_id": "77777777",
        "new_kind": "data-centre", "criticality": "high"})
    assert response.status_code == 302
    added = Supplier.objects.get(registry_id="77777777")
    assert SupplierRelationship.objects.get(supplier=added).owner == sector.bank
    # The bank already has a relationship with Nimbus: the (owner, supplier) constraint refuses a second one.
    response = client.post(reverse("web:relationship-create"), {"supplier": inventory.cloud.pk, "criticality": "low"})
    assert response.status_code == 400 and "already exists" in text(response)


def test_deleting_a_dependency_from_its_page(sector, inventory, ui):
    dependency = inventory.dependencies[1]
    response = ui(sector.bank_admin).post(reverse("web:dependency-delete", args=[dependency.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("web:dependency-list")
    assert not Dependency.objects.filter(pk=dependency.pk).exists()


def test_deleting_a_service_removes_it_and_its_dependencies(sector, inventory, ui):
    response = ui(sector.bank_admin).post(reverse("web:service-delete", args=[inventory.payments.pk]))
    assert response.status_code == 302
    assert not BusinessService.objects.filter(pk=inventory.payments.pk).exists()
    assert not Dependency.objects.filter(pk=inventory.dependencies[0].pk).exists()


def test_every_grouped_form_shows_all_its_fields():
    for form_class in (inventory_forms.BusinessServiceForm, inventory_forms.SystemForm, inventory_forms.SupplierForm,
                       inventory_forms.SupplierRelationshipForm):
        grouped = {name for _, names in form_class.fieldsets for name in names}
        assert grouped == set(form_class.base_fields), form_class.__name__
    grouped = {name for _, names in inventory_forms.DependencyForm.fieldsets for name in names}
    assert grouped == set(inventory_forms.DependencyForm.base_fields)


# --- sharing from the detail page ---------------------------------------------------------------

def test_share_with_the_hub_then_withdraw(sector, inventory, ui):
    detail = reverse("web:service-detail", args=[inventory.payments.pk])
    hub = ui(sector.hub_analyst)
    assert hub.get(detail).status_code == 404
    response = ui(sector.bank_admin).post(detail, {"tlp": "AMBER", "hub": "on"})
    assert response.status_code == 302
    share = Share.objects.get(object_id=inventory.payments.pk)
    assert list(share.recipient_orgs.all()) == [sector.hub]
    assert hub.get(detail).status_code == 200
    why = text(hub.get(reverse("web:service-why", args=[inventory.payments.pk])))
    assert f"Share #{share.pk} by Bank A" in why and "names your organisation" in why
    assert "Only its owner, Bank A, may change it" in why
    assert "Retail payments" in text(hub.get("/"))  # the hub's dashboard lists what was shared with it
    response = ui(sector.bank_admin).post(reverse("web:share-withdraw", args=[share.pk]))
    assert response.status_code == 302 and response["Location"] == detail
    assert hub.get(detail).status_code == 404


def test_share_refused_by_the_tlp_rules_says_why(sector, inventory, ui):
    detail = reverse("web:service-detail", args=[inventory.payments.pk])
    response = ui(sector.bank_admin).post(detail, {"tlp": "RED", "organizations": [sector.hub.pk]})
    assert response.status_code == 400
    assert "TLP:RED reaches named people only" in text(response)
    response = ui(sector.bank_admin).post(detail, {"tlp": "AMBER", "community": "on"})
    assert response.status_code == 400 and "may not be shared with the whole community" in text(response)
    assert not Share.objects.exists()


def test_only_the_sharing_organisation_withdraws(sector, inventory, ui):
    share = actions.share_object(sector.bank_admin, inventory.payments, tlp_marking="GREEN", community=True)
    assert ui(sector.insurer_admin).post(reverse("web:share-withdraw", args=[share.pk])).status_code == 404
    assert ui(sector.bank_auditor).post(reverse("web:share-withdraw", args=[share.pk])).status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None


# --- dashboards ---------------------------------------------------------------------------------

def test_member_dashboard_shows_its_own_inventory(sector, inventory, ui):
    body = text(ui(sector.bank_admin).get("/"))
    assert "Retail payments" in body and "Nimbus Cloud" in body
    assert "Claims handling secret" not in body
    assert 'id="chart-services" type="application/json"' in body


def test_supervisor_sees_aggregates_never_a_members_records(sector, inventory, ui):
    body = text(ui(sector.supervisor).get("/"))
    for private in ("Retail payments", "Core banking", "Claims handling secret", "Claims engine secret"):
        assert private not in body
    overview = queries.sector_overview(sector.supervisor)
    assert overview.members == 2
    assert overview.critical_services_by_sector["Bank"] == 1 and overview.critical_services_by_sector["Insurance"] == 1
    assert [(s.name, n) for s, _, n in overview.concentration] == [("Nimbus Cloud", 2)]
    assert "Nimbus Cloud" in body  # the registry is sector-wide: naming a supplier and a count reveals no member


def test_sector_aggregates_are_refused_to_members(sector):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        queries.sector_overview(sector.bank_admin)


@pytest.mark.parametrize("who, words", [
    ("hub_analyst", "Members of the sector"), ("supervisor", "Concentration on shared suppliers"),
    ("bank_auditor", "Latest entries of the audit trail"), ("platform_admin", "Organisations and people"),
    ("bank_analyst", "Business services, most critical first"),
])
def test_each_role_gets_its_dashboard(sector, inventory, ui, who, words):
    response = ui(getattr(sector, who)).get("/")
    assert response.status_code == 200 and words in text(response)


# --- audit trail --------------------------------------------------------------------------------

def test_audit_trail_is_for_auditors_and_admins(sector, inventory, ui):
    for who in ("bank_auditor", "bank_admin", "platform_admin"):
        assert ui(getattr(sector, who)).get(reverse("web:audit")).status_code == 200, who
    for who in ("bank_analyst", "hub_analyst", "supervisor"):
        assert ui(getattr(sector, who)).get(reverse("web:audit")).status_code == 404, who
        assert ui(getattr(sector, who)).post(reverse("web:audit-verify")).status_code == 404, who


def test_audit_trail_filters_and_stays_within_the_organisation(sector, inventory, ui):
    client = ui(sector.bank_auditor)
    body = text(client.get(reverse("web:audit"), {"object_type": "inventory.system"}))
    assert "Core banking" in body and "Retail payments" not in body
    assert "Claims engine secret" not in text(client.get(reverse("web:audit")))


def test_verify_button_reports_an_intact_chain_then_names_the_altered_entry(sector, inventory, ui):
    client = ui(sector.bank_auditor)
    response = client.post(reverse("web:audit-verify"), headers={"HX-Request": "true"})
    assert "Intact" in text(response) and "<html" not in text(response)
    victim = AuditEntry.objects.order_by("seq")[3]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET object_repr = %s WHERE id = %s", ["forged", victim.pk])
    body = text(client.post(reverse("web:audit-verify")))
    assert "Broken" in body and f"entry #{victim.seq} was altered" in body


# --- htmx, graph, assets, page-wide promises ----------------------------------------------------

def test_htmx_filtering_returns_only_the_table(sector, inventory, ui):
    response = ui(sector.bank_admin).get(reverse("web:system-list"), {"name": "ledger"},
                                         headers={"HX-Request": "true"})
    body = text(response)
    assert "<html" not in body and "Ledger database" in body and "Core banking" not in body
    assert "HX-Request" in response["Vary"]
    full = text(ui(sector.bank_admin).get(reverse("web:system-list"), {"hosting": "cloud"}))
    assert "<html" in full and "Core banking" in full and "Ledger database" not in full


def test_service_page_draws_the_reachable_graph(sector, inventory, ui):
    body = text(ui(sector.bank_admin).get(reverse("web:service-detail", args=[inventory.payments.pk])))
    drawn = set(re.findall(r'data-node="([^"]+)"', body))
    # service → core (hosted on Nimbus) → ledger db → telecom; Nimbus → telecom (fourth party)
    assert drawn == {"Retail payments", "Core banking", "Ledger database", "Formosa Telecom", "Nimbus Cloud"}
    assert f'href="{reverse("web:system-detail", args=[inventory.core.pk])}"' in body


def test_service_graph_query_count_does_not_grow_with_the_graph(sector, inventory, django_assert_max_num_queries):
    owner = sector.bank
    previous = inventory.db
    for i in range(30):  # a long chain and a wide fan-out
        system = actions.save_object(System(owner=owner, name=f"extra {i}"))
        actions.save_object(Dependency(owner=owner, source_system=previous if i < 5 else inventory.core,
                                       target_system=system))
        previous = system if i < 5 else previous
    with django_assert_max_num_queries(12):
        graph = queries.service_graph(sector.bank_admin, inventory.payments)
    assert len(graph.nodes) == 35


def test_plotly_is_served_from_the_python_package():
    from django.contrib.staticfiles import finders

    found = finders.find("vendor/plotly.min.js")
    assert found is not None and found.startswith(str(Path(plotly.__file__).parent))
    with open(found, "rb") as handle:
        assert b"plotly" in handle.read(2000).lower()


INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


@pytest.mark.parametrize("who", ROLES)
def test_pages_carry_the_csp_and_no_inline_script(sector, inventory, ui, who):
    client = ui(getattr(sector, who))
    paths = ["/", reverse("web:supplier-list"), reverse("web:supplier-detail", args=[inventory.cloud.pk])]
    if who.startswith("bank"):
        paths += member_pages(inventory)
    for path in paths:
        response = client.get(path)
        assert "script-src 'self'" in response["Content-Security-Policy"], path
        for script in INLINE_SCRIPT.finditer(text(response)):
            attrs, body = script["attrs"], script["body"].strip()
            assert "src=" in attrs or 'type="application/json"' in attrs, f"inline script on {path}: {body[:80]}"


def test_error_pages_use_the_sites_templates(sector, ui):
    response = ui(sector.bank_admin).get("/no-such-page/")
    assert response.status_code == 404 and "Nothing here" in text(response)
