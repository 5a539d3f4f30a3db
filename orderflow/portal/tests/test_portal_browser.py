"""A customer uses the signed-in portal on a phone in a real browser: Debian's Chromium via Playwright."""

from __future__ import annotations

import re

import pytest
import time_machine

from orderflow.conftest import PASSWORD
from orderflow.web.tests.conftest import DAYTIME, run_worker
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401  (fixtures)

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
def test_a_contact_signs_in_sees_the_badge_opens_the_item_and_replies_on_a_phone(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811
    make_order,
    alice_login,
    olivia,
):
    from playwright.sync_api import expect

    from orderflow.conversations.models import Message
    from orderflow.core.actors import Actor
    from orderflow.notifications.actions import set_preference
    from orderflow.notifications.models import Category
    from orderflow.orders.actions import transition_order

    # Given Alice is told of status changes in the app, and her cake went into preparation
    set_preference(
        alice_login,
        category=Category.ORDER_UPDATES,
        enabled=True,
        channels=["in_app"],
        actor=Actor.customer(alice_login),
    )
    with time_machine.travel(DAYTIME, tick=False):
        order = make_order("shop", title="Birthday cake")
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
        run_worker()
    page = browser_page
    page.set_viewport_size(PHONE)

    # When she signs in on her phone with her email address
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("alice@cornerbar.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Then she sees her orders in her words, and the unread badge
    expect(page.get_by_role("heading", name="My orders")).to_be_visible()
    expect(page.get_by_test_id("my-orders")).to_contain_text("Birthday cake")
    expect(page.get_by_test_id("inbox-count")).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll

    # When she opens the item from her inbox (behind the header's menu on a phone), it is read and shows
    # its order
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name=re.compile("Inbox")).click()
    expect(page.get_by_test_id("inbox")).to_contain_text("In preparation")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # long links wrap
    page.get_by_role("button", name=re.compile(f"Order #{order.number}")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Birthday cake")
    expect(page.get_by_test_id("inbox-count")).to_have_text("0")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # And she replies on the order's thread
    page.get_by_label("Write to the seller").fill("Could you write Happy birthday Sam on it?")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Your message was sent.")
    expect(page.locator(".message-bubble.from-customer")).to_contain_text("Happy birthday Sam")
    message = Message.objects.get(order=order)
    assert (message.author_kind, message.author_contact_id) == ("customer", alice_login.pk)
