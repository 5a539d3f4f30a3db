"""A customer orders from the catalogue in a real browser (Debian's Chromium via Playwright), on a desktop
and on a 375 px phone, and staff see the order with its backup item."""

from __future__ import annotations

import pytest

from orderflow.conftest import PASSWORD
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401  (fixtures)

PHONE = {"width": 375, "height": 812}


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _fits(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone-375"])
def test_a_customer_orders_two_items_with_a_backup_and_staff_see_it(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811
    acme,
    order_types,
    alice_login,
    olivia,
    viewport,
):
    from playwright.sync_api import expect

    from orderflow.orders.models import Order
    from orderflow.orders.tests.catalogue import small_catalogue

    # Given Acme's catalogue, where the lager suggests the pale ale as its backup
    items = small_catalogue(acme)
    page = browser_page
    if viewport:
        page.set_viewport_size(viewport)

    # When Alice signs in and places an order for lager (backup: pale ale) and the pale ale
    _sign_in(page, live_server, "alice@cornerbar.example")
    page.get_by_test_id("new-order").click()
    expect(page.get_by_role("heading", name="New order")).to_be_visible()
    lager = page.get_by_test_id("item-LAGER")
    lager.get_by_label("Quantity").fill("2")
    expect(lager.get_by_label("If out of stock, instead")).to_have_value(str(items["ale"].pk))
    page.get_by_test_id("item-ALE").get_by_label("Quantity").fill("1")
    expect(page.get_by_test_id("item-CIDER").get_by_test_id("out-of-stock")).to_be_visible()
    if viewport:
        assert _fits(page)
    page.get_by_label("Notes for the seller (optional)").fill("Back door, please")
    page.get_by_role("button", name="Review my order").click()

    # Then she reviews the total with taxes before placing it
    expect(page.get_by_test_id("review-total")).to_contain_text("368.00")
    if viewport:
        assert _fits(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("status")).to_contain_text("is placed")
    expect(page.get_by_test_id("total")).to_contain_text("368.00")
    expect(page.get_by_test_id("backup-1")).to_contain_text("Pale ale keg")
    if viewport:
        assert _fits(page)
    order = Order.objects.get()

    # And staff see the order and the backup on their order page
    page.context.clear_cookies()
    _sign_in(page, live_server, "olivia")
    page.goto(f"{live_server.url}/s/acme/orders/{order.number}/")
    expect(page.get_by_test_id("line-1")).to_contain_text("Lager keg")
    expect(page.get_by_test_id("backup-1")).to_have_text("Pale ale keg")
    expect(page.get_by_test_id("line-2")).to_contain_text("Pale ale keg")
    expect(page.get_by_test_id("total")).to_contain_text("368.00")
