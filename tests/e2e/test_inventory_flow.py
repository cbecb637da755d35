"""The inventory in a real browser: sign in, the dashboard of each role, and a business service
built through the UI (service, system, the dependency between them) seen on its dependency picture."""

import pytest

from tests.web.conftest import Inventory

from .conftest import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_a_member_builds_a_service_with_a_dependency_and_sees_it_on_the_graph(page, sector):
    sign_in(page, sector.bank_analyst.username, sector.password)
    assert page.get_by_role("heading", name="Bank A").is_visible()

    page.get_by_role("link", name="New business service").click()
    page.get_by_label("Name").fill("Mobile banking")
    page.get_by_label("Criticality").select_option("critical")
    page.get_by_label("Impact tolerance (minutes)").fill("240")
    page.get_by_label("RTO (minutes)").fill("120")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/inventory/services/*/")
    service_url = page.url
    assert page.get_by_role("heading", name="Mobile banking").is_visible()

    page.goto("/inventory/systems/new/")
    page.get_by_label("Name").fill("Mobile API gateway")
    page.get_by_label("Hosting").select_option("on-premises")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/inventory/systems/*/")

    page.goto(service_url)
    page.get_by_role("link", name="Add dependency").click()
    assert page.get_by_label("Source").input_value().startswith("service:")
    page.get_by_label("Target").select_option(label="Mobile API gateway")
    page.get_by_label("Impact").fill("the app cannot reach accounts")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/inventory/dependencies/*/")

    page.goto(service_url)
    node = page.locator('svg.depgraph [data-node="Mobile API gateway"]')
    node.wait_for()
    assert node.is_visible()
    assert page.locator('svg.depgraph [data-node="Mobile banking"]').is_visible()
    node.click()  # boxes link to their pages
    page.wait_for_url("**/inventory/systems/*/")
    assert page.get_by_role("heading", name="Mobile API gateway").is_visible()
    assert page.console_errors == []


def test_list_filters_narrow_the_table_without_a_reload(page, sector):
    Inventory(sector)
    sign_in(page, sector.bank_admin.username, sector.password)
    page.goto("/inventory/systems/")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 2
    page.get_by_label("Name").fill("ledger")
    page.wait_for_url("**/inventory/systems/?*name=ledger*")  # htmx pushes the filtered address
    rows.first.get_by_text("Ledger database").wait_for()
    assert rows.count() == 1
    assert page.console_errors == []


def _charts_drawn(page, count: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('[data-chart] .main-svg').length >= {count}")


ROLE_VIEWS = {
    # person: (what they must see, what they must not see, charts drawn)
    "bank_admin": (["Retail payments", "Business services, most critical first", "Nimbus Cloud"],
                   ["Claims handling secret"], 2),
    "hub_analyst": (["Members of the sector", "Insurer B", "Shared with the hub"],
                    ["Retail payments", "Claims handling secret"], 2),
    "supervisor": (["Members by sector and tier", "Concentration on shared suppliers", "Nimbus Cloud"],
                   ["Retail payments", "Claims handling secret", "Core banking"], 3),
    "bank_auditor": (["Latest entries of the audit trail", "Verify the chain"], ["Claims handling secret"], 0),
    "platform_admin": (["Organisations", "People", "insurer-admin"], ["Retail payments"], 1),
}


@pytest.mark.parametrize("who", ROLE_VIEWS)
def test_each_role_sees_its_own_dashboard(page, sector, who):
    Inventory(sector)
    shown, hidden, charts = ROLE_VIEWS[who]
    sign_in(page, getattr(sector, who).username, sector.password)
    if charts:
        _charts_drawn(page, charts)
    text = page.locator("main").inner_text()
    for words in shown:
        assert words in text, f"{who} should see {words!r}"
    for words in hidden:
        assert words not in text, f"{who} must not see {words!r}"
    if who == "bank_auditor":
        page.get_by_role("button", name="Verify the chain").click()
        assert "Intact" in page.get_by_test_id("verdict").inner_text()
    assert page.console_errors == []
