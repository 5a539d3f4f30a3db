"""A customer's emailed reply, fed to receive_email, shows in the Conversations section with its badge."""

from __future__ import annotations

import pytest

from orderflow.conftest import PASSWORD
from orderflow.conversations.actions import post_message
from orderflow.conversations.tests.test_replies_by_email import feed, message_email, reply
from orderflow.core.actors import Actor
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _replies_on(settings):
    settings.INBOUND_EMAIL_DOMAIN = "reply.acme.example"


@pytest.mark.browser
def test_a_customers_email_reply_shows_in_conversations_with_a_badge(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811
    make_order,
    alice,
    sam,
    olivia,
    monkeypatch,
    capsys,
):
    from playwright.sync_api import expect

    # Given Sam wrote to Alice about her order, and Olivia has read the thread
    order = make_order("distributor", title="Weekend restock")
    post_message(order, body="Cola is out of stock, we can send lemonade.", actor=Actor.staff(sam))
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/s/acme/conversations/{order.number}/")
    expect(page.get_by_test_id("conversations-count")).to_have_text("0")

    # When Alice answers the email and the mail server pipes it to receive_email
    address = message_email(order, contact=alice).headers["Reply-To"]
    assert feed(reply(address, text="Yes, lemonade is fine.").as_bytes(), monkeypatch, capsys).startswith(
        "posted"
    )

    # Then the menu's badge counts the thread, which is waiting for the staff, with her reply on top
    page.goto(f"{live_server.url}/s/acme/orders/")
    expect(page.get_by_test_id("conversations-count")).to_have_text("1")
    page.get_by_role("link", name="Conversations").click()
    row = page.get_by_test_id("conversation-row").first
    expect(row).to_contain_text("Yes, lemonade is fine.")
    expect(row.get_by_test_id("unread")).to_have_text("1")
    expect(row.get_by_test_id("waiting-us")).to_be_visible()

    # And opening it shows the reply and reads it
    row.get_by_role("link", name="Weekend restock").click()
    expect(page.get_by_test_id("thread-message").last).to_contain_text("Yes, lemonade is fine.")
    expect(page.get_by_test_id("conversations-count")).to_have_text("0")
