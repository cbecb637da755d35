"""SBOMs in a real browser: a member uploads an SBOM to a system, sees its findings, opens one
(advisory, the path that brings the component in, the decision form), records a decision and sees
it in the history beside one imported from a supplier's CycloneDX VEX (XML), searches a component
across the portfolio and sees the dashboard's charts drawn."""

import json
from pathlib import Path

import pytest

from tests.sbom import kb

from .conftest import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

VEX = Path(__file__).parent.parent / "sbom" / "data" / "vex" / "cdx-1.6-vex.xml"


def test_a_member_uploads_an_sbom_triages_a_finding_and_searches_the_portfolio(page, sector, tmp_path):
    kb.load(tmp_path)
    kb.system(sector.bank, "Core banking")
    kb.system(sector.insurer, "Claims")  # another member's: never offered, never shown
    sign_in(page, sector.bank_analyst.username, sector.password)

    page.get_by_role("link", name="SBOM", exact=True).click()
    page.wait_for_url("**/sbom/")
    page.get_by_role("link", name="SBOMs", exact=True).click()
    upload = page.get_by_test_id("upload")
    assert upload.get_by_label("System").locator("option", has_text="Claims").count() == 0
    upload.get_by_label("System").select_option(label="Core banking")
    upload.get_by_label("File").set_input_files(
        {"name": "payments-api.cdx.json", "mimeType": "application/json", "buffer": kb.cyclonedx()})
    upload.get_by_role("button", name="Upload and match").click()
    page.wait_for_url("**/sbom/sboms/*/")
    sbom_url = page.url
    assert "6 components, 3 findings" in page.locator("ul.messages").inner_text()

    findings = page.get_by_test_id("findings").locator("tbody tr")
    assert findings.count() == 3
    ranked = [findings.nth(i).locator("td").nth(1).locator("a").inner_text() for i in range(3)]
    assert ranked == ["GO-TEST-3", "GHSA-test-2", "PYSEC-TEST-1"]  # KEV first, then EPSS, then CVSS

    page.get_by_test_id("findings").get_by_role("link", name="GO-TEST-3").click()
    page.wait_for_url("**/sbom/findings/*/")
    finding_url = page.url
    advisory = page.get_by_test_id("advisory")
    assert "test vulnerability GO-TEST-3" in advisory.inner_text()
    assert "Known exploited" in advisory.inner_text() and "CVE-2099-0003" in advisory.inner_text()
    assert "payments-api@1.0 → Django@3.2.0 → gin@1.5.0" in page.get_by_test_id("paths").inner_text()
    assert "No decision yet" in page.get_by_test_id("decisions").inner_text()

    decide = page.get_by_test_id("decide")
    decide.get_by_label("Status").select_option("triaged")
    decide.get_by_label("Detail").fill("owner found: the payments team")
    decide.get_by_role("button", name="Record decision").click()
    page.wait_for_url(finding_url)
    assert page.get_by_role("heading", name="Status: Triaged").is_visible()
    history = page.get_by_test_id("decisions")
    assert "Triaged" in history.inner_text() and "owner found: the payments team" in history.inner_text()
    assert sector.bank_analyst.username in history.inner_text()

    # The supplier's VEX (CycloneDX XML) says gin is exploitable here: imported on the SBOM's page.
    page.goto(sbom_url)
    vex_form = page.get_by_test_id("vex-import")
    vex_form.get_by_label("File").set_input_files(str(VEX))
    vex_form.get_by_role("button", name="Apply statements").click()
    page.wait_for_url(sbom_url)
    assert "VEX applied: 3 findings decided, 1 statements matched nothing here." in page.locator("ul.messages").inner_text()
    statuses = [findings.nth(i).locator("td").last.inner_text() for i in range(3)]
    assert statuses == ["Affected", "Not affected", "Fixed"]
    kev = page.get_by_label("Known exploited (KEV)")
    assert kev.locator("option:checked").inner_text() == "Any"
    kev.select_option(label="Yes")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**kev=true*")
    assert findings.count() == 1 and "GO-TEST-3" in findings.first.inner_text()
    page.goto(finding_url)
    entries = page.get_by_test_id("decisions").locator("li")
    assert entries.count() == 2
    assert "Affected" in entries.nth(0).inner_text() and "Imported CycloneDX VEX" in entries.nth(0).inner_text()
    assert "Triaged" in entries.nth(1).inner_text()

    page.goto("/sbom/")
    page.get_by_role("link", name="Component search").click()
    search = page.get_by_test_id("component-search")
    search.get_by_label("Package name or purl").fill("lodash")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url("**/sbom/components/?q=lodash*")
    card = page.locator(".card", has=page.get_by_role("heading", name="lodash"))
    assert "4.17.15" in card.inner_text() and "Core banking" in card.inner_text()
    assert "Claims" not in page.content()

    page.goto("/sbom/")
    page.wait_for_function("document.querySelectorAll('[data-chart] .main-svg').length >= 2")
    assert page.get_by_test_id("chart-severity").locator(".main-svg").count() >= 1
    # One day of history reads as a date on the time axis, not as milliseconds around midnight.
    ticks = page.get_by_test_id("chart-trend").locator(".xtick text").all_text_contents()
    [day] = json.loads(page.locator("script#chart-trend").text_content())["data"][0]["x"]
    assert day in ticks and not any(":" in tick for tick in ticks)
    assert page.get_by_test_id("kev-count").inner_text() == "1"  # gin stays open: affected
    assert page.console_errors == []
