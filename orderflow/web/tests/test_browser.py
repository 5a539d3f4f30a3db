"""A staff member works an order in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
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


@pytest.mark.browser
def test_staff_read_the_customers_message_in_the_outbox_after_moving_a_shop_order(
    transactional_db, live_server, browser_page, make_order, olivia, settings
):
    from playwright.sync_api import expect

    from orderflow.core.actors import Actor
    from orderflow.notifications.actions import update_rule
    from orderflow.notifications.models import NotificationRule
    from orderflow.notifications.worker import Worker

    # Given the demo's sandbox, and a shop order in preparation whose "ready for pickup" message carries
    # the shop's custom message; urgent, so the test does not depend on the hour it runs at
    settings.NOTIFICATIONS_SANDBOX = True
    order = make_order("shop", path=("in_preparation",), title="Birthday cake")
    rule = NotificationRule.objects.get(
        order_type=order.order_type, event="status_changed", state="ready_for_pickup", audience="contact"
    )
    update_rule(rule, actor=Actor.staff(olivia), urgent=True, custom_message="Pick it up at the front desk.")
    page = browser_page

    # Olivia logs in and moves the order to Ready for pickup
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Birthday cake").click()
    page.get_by_role("button", name="Ready for pickup").click()
    expect(page.get_by_role("status")).to_have_text("Status changed to Ready for pickup.")

    # When the worker takes one step
    assert Worker().run_once() > 0

    # Then the outbox lists the message to Alice, and it reads as she would have received it
    page.get_by_role("link", name="Outbox", exact=True).click()
    expect(page.get_by_test_id("outbox")).to_contain_text("alice@cornerbar.example")
    # (the earlier "in preparation" email is listed too; the newest comes first)
    page.get_by_role("link", name=re.compile(r"Read the message to Alice Martin \(Email")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order #{order.number}: Ready for pickup")
    expect(page.get_by_test_id("envelope")).to_contain_text("Message-ID")
    expect(page.get_by_test_id("message-text")).to_contain_text("Pick it up at the front desk.")
    html = page.frame_locator("iframe.message-html")
    expect(html.locator("body")).to_contain_text("Pick it up at the front desk.")

    # And the order's trace shows the email as sent, with its attempt
    page.get_by_role("link", name=f"Order #{order.number}").click()
    trace = page.get_by_test_id("notification-trace")
    expect(trace).to_contain_text("Status changed from In preparation to Ready for pickup")
    expect(trace).to_contain_text("Urgent: delivery hours do not apply.")
