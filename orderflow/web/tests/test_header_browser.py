"""The workspace header on a phone and at 1280 px, without any script: the links fold into a menu below
768 px, and the person's own links (language, notifications, log out) open from their name."""

from __future__ import annotations

import pytest

from orderflow.conftest import PASSWORD
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401 (fixtures)


@pytest.mark.browser
def test_the_header_folds_into_a_menu_on_a_phone_and_holds_one_line_at_1280_px(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811 (the fixture imported above)
    olivia,
):
    from playwright.sync_api import expect

    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Manage orders")).to_be_visible()

    # On a phone the links wait behind the menu, and the filters are folded
    outbox = page.get_by_role("link", name="Outbox", exact=True)
    expect(outbox).to_be_hidden()
    expect(page.get_by_label("Search")).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(outbox).to_be_visible()
    page.locator("summary.user-toggle").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_text("Menu", exact=True).click()  # it lies over the page until closed
    expect(outbox).to_be_hidden()
    page.get_by_text("Filter orders", exact=True).click()
    expect(page.get_by_label("Search")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # At 1280 px there is no menu button: the links and the filters show at once
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(outbox).to_be_visible()
    expect(page.get_by_label("Search")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    outbox.click()
    expect(page.get_by_role("heading", name="Outbox", level=1)).to_be_visible()
