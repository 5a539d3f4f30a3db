"""Bulk actions in a real browser: tick two orders on Manage orders and assign them in one go."""

from __future__ import annotations

import pytest

from orderflow.conftest import PASSWORD
from orderflow.orders.models import Order
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401  (fixtures)


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
