"""Bulk actions in a real browser: tick two orders on Manage orders and assign them in one go; the bulk
pages pass axe-core on a phone and a desktop."""

from __future__ import annotations

import os

import pytest

from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.orders.actions import transition_order
from orderflow.orders.models import Order
from orderflow.web.tests.test_accessibility_browser import AXE, REPORT, VIEWPORTS, session_cookie
from orderflow.web.tests.test_browser import (  # noqa: F401  (fixtures)
    CHROMIUM_ARGS,
    browser_page,
    chromium_path,
)


@pytest.mark.browser
def test_staff_select_two_orders_and_assign_them(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811
    make_order,
    sam,
):
    from playwright.sync_api import expect

    cake, bread, untouched = (make_order("shop", title=title) for title in ("Cake", "Bread", "Pies"))
    page = browser_page

    # Given Olivia is on Manage orders
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Manage orders")).to_be_visible()

    # When she ticks two orders and assigns them to Sam
    page.get_by_label(f"Select order #{cake.number}", exact=True).check()
    page.get_by_label(f"Select order #{bread.number}", exact=True).check()
    page.get_by_label("Assign to").select_option(label="Sam")
    page.get_by_role("button", name="Assign", exact=True).click()

    # Then a result per order says it is done
    expect(page.get_by_role("heading", name="Assign to Sam")).to_be_visible()
    results = page.get_by_test_id("bulk-result")
    expect(results).to_have_count(2)
    expect(results.filter(has_text="Done")).to_have_count(2)
    expect(page.get_by_test_id("bulk-summary")).to_have_text("Orders done: 2 of 2")

    # and back on the list, both show Sam; the third order is still unassigned
    page.get_by_role("link", name="Back to the orders").click()
    expect(page.get_by_role("row", name="Cake").get_by_text("Sam")).to_be_visible()
    expect(page.get_by_role("row", name="Bread").get_by_text("Sam")).to_be_visible()
    assert Order.objects.get(pk=untouched.pk).assignee_id is None
    assigned = Order.objects.filter(pk__in=[cake.pk, bread.pk]).values_list("assignee", flat=True)
    assert set(assigned) == {sam.pk}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_bulk_pages_pass_axe_on_a_phone_and_a_desktop(
    transactional_db,
    live_server,
    chromium_path,  # noqa: F811
    monkeypatch,
    make_order,
    olivia,
    language,
):
    """The move and result pages answer a POST, so the accessibility test's list of addresses cannot
    reach them: they are checked here, reached by clicking as a person would."""
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the accessibility test, but {AXE} is missing")
        pytest.skip(f"{AXE} is missing: run scripts/ensure-axe.sh (make pytest does)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from orderflow.accounts.actions import set_own_language

    set_own_language(olivia.user, language=language)
    orders = [make_order("services-marketplace", path=("approved", "in_progress")) for _ in range(2)]
    axe = AXE.read_text()
    failures: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(bypass_csp=True)  # axe is injected as a script
            context.add_cookies([session_cookie(olivia.user, live_server.url)])
            page = context.new_page()
            page.set_default_timeout(15_000)
            for viewport, size in VIEWPORTS.items():
                page.set_viewport_size(size)
                page.goto(f"{live_server.url}/s/acme/orders/?select=page")
                page.locator('button[value="choose_state"]').click()
                page.locator('input[name="to"]').first.wait_for(state="attached")
                check(page, axe, f"{viewport} move", size, failures)
                form = page.locator("form", has=page.locator('input[name="to"][value="waiting_for_partner"]'))
                form.locator("textarea").fill("Venue closed until Monday")
                form.locator('button[type="submit"]').click()
                page.get_by_test_id("bulk-summary").wait_for()
                check(page, axe, f"{viewport} result", size, failures)
                assert page.locator('[data-testid="bulk-result"][data-done="true"]').count() == len(orders)
                # Moved once: the next round finds them waiting, and moves them back in progress
                for order in orders:
                    transition_order(order, to="in_progress", actor=Actor.staff(olivia))
        finally:
            browser.close()
    assert not failures, "\n" + "\n".join(failures)


def check(page, axe: str, label: str, size: dict[str, int], failures: list[str]) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > size["width"]:
        failures.append(f"{label}: scrolls sideways ({width} px wide)")
    page.add_script_tag(content=axe)
    found = page.evaluate(f"axe.run(document).then({REPORT})")
    failures.extend(f"{label}: {violation}" for violation in found)
