"""An owner keeps the catalogue from a phone in a real browser: searches, marks an item out of stock in
one click, edits it and reads its log, all at 375 px without sideways scrolling."""

from __future__ import annotations

import pytest

from orderflow.catalog.actions import create_item
from orderflow.catalog.models import ItemEvent
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401 (fixtures)

PHONE = {"width": 375, "height": 740}


@pytest.mark.browser
def test_an_owner_marks_an_item_out_of_stock_from_a_phone(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811
    acme,
    olivia,
):
    from playwright.sync_api import expect

    actor = Actor.staff(olivia)
    keg = create_item(
        acme, actor=actor, sku="KEG-50", name="Lager keg, 50 litres", unit="keg", unit_price="189"
    )
    create_item(
        acme, actor=actor, sku="CASE-24", name="Lager case of 24 cans", unit="case", unit_price="32.50"
    )
    page = browser_page
    page.set_viewport_size(PHONE)

    # Given Olivia signs in and opens the catalogue from the settings
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/s/acme/settings/notifications/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Catalogue").click()
    expect(page.get_by_role("heading", name="Catalogue", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # When she searches for the keg and marks it out of stock in one click
    page.get_by_role("textbox", name="Search").fill("keg")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("item-CASE-24")).to_have_count(0)
    page.get_by_test_id("mark-out-of-stock").click()

    # Then the same list shows it out of stock, and the change is in its log
    expect(page.get_by_test_id("item-KEG-50").get_by_test_id("availability")).to_have_text("Out of stock")
    expect(page.get_by_role("textbox", name="Search")).to_have_value("keg")
    assert ItemEvent.objects.filter(item=keg, type="availability_changed").count() == 1
    page.get_by_role("link", name="KEG-50").click()
    expect(page.get_by_test_id("item-log")).to_contain_text("Availability changed")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # And an edit with a bad price is refused on its field
    page.get_by_label("Unit price").fill("189.999")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_unit_price_error")).to_be_visible()
