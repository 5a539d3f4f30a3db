"""A staff member works an order in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orderflow.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium_path() -> str:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests, but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed (Debian's chromium package); browser tests skipped")
    return str(CHROMIUM)


@pytest.fixture
def browser_page(chromium_path, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes meanwhile
    # are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()


@pytest.mark.browser
def test_staff_confirm_a_wholesale_order_from_the_browser(
    transactional_db, live_server, browser_page, make_order, olivia
):
    from playwright.sync_api import expect

    order = make_order("distributor", title="Weekend restock for the bar")
    page = browser_page

    # Given Olivia logs in through the login form
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # she lands on Manage orders, with the new order waiting for attention
    expect(page.get_by_role("heading", name="Manage orders")).to_be_visible()
    expect(page.locator("header.topbar")).to_have_css("background-color", "rgb(24, 32, 53)")  # CSS served
    expect(page.get_by_test_id("attention-count")).to_have_text("1")
    page.get_by_role("link", name="Weekend restock for the bar").click()

    # Opening it told the customer it was seen
    expect(page.get_by_test_id("order-status")).to_have_text("Seen")

    # When she confirms it with a note to the customer
    page.get_by_text("Add a note to Confirm order received").click()
    page.get_by_label("Note to the customer (optional) for Confirm order received").fill(
        "Entered in our system, delivery on Friday."
    )
    page.get_by_role("button", name="Confirm order received").click()

    # Then the page shows the new status and the log entry with her note
    expect(page.get_by_role("status")).to_have_text("Status changed to Confirmed.")
    expect(page.get_by_test_id("order-status")).to_have_text("Confirmed")
    log = page.get_by_test_id("activity-log")
    expect(log).to_contain_text("Status changed from Seen to Confirmed")
    expect(log).to_contain_text("Entered in our system, delivery on Friday.")
    order.refresh_from_db()
    assert order.state == "confirmed"
