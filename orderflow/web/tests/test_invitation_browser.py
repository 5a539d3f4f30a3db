"""An invitation and a password reset followed end to end in Chromium: staff invite the contact (or the
contact asks for a reset), the worker sends the email to the sandbox, the contact opens the link from
it, chooses a password and signs in."""

from __future__ import annotations

import re

import pytest

from orderflow.conftest import PASSWORD
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401  (fixtures)

CHOSEN = "lantern-orchard-42"


@pytest.mark.browser
def test_a_contact_invited_by_staff_chooses_a_password_and_signs_in(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811
    make_order,
    olivia,
    alice,
    settings,
):
    from playwright.sync_api import expect

    from orderflow.notifications.models import SandboxMessage
    from orderflow.notifications.worker import Worker

    settings.NOTIFICATIONS_SANDBOX = True
    settings.SITE_URL = live_server.url
    make_order("shop", title="Birthday cake")
    page = browser_page

    # Given Olivia invites Alice from the order Alice placed
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Birthday cake").click()
    page.get_by_role("button", name="Invite Alice Martin to the portal").click()
    expect(page.get_by_role("status")).to_contain_text("alice@cornerbar.example")
    expect(page.get_by_test_id("invited")).to_be_visible()
    page.locator("summary.user-toggle").click()  # her name in the header opens her menu
    page.get_by_role("button", name="Log out").click()

    # When the worker sends it, and Alice opens the link in the email
    assert Worker().run_once() > 0
    email = SandboxMessage.objects.get(to="alice@cornerbar.example")
    link = re.search(r"http://\S+/invitation/\S+/", email.body).group(0)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(CHOSEN)
    page.get_by_label("New password confirmation").fill(CHOSEN)
    page.get_by_role("button", name="Set my password").click()

    # Then she signs in with her address and the password she chose, to her orders
    expect(page.get_by_role("status")).to_contain_text("alice@cornerbar.example")
    page.get_by_label("Username").fill("alice@cornerbar.example")
    page.get_by_label("Password").fill(CHOSEN)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="My orders")).to_be_visible()
    expect(page.get_by_text("Birthday cake")).to_be_visible()

    # And the link does not work twice
    page.goto(link)
    expect(page.get_by_test_id("invitation-closed")).to_be_visible()


@pytest.mark.browser
def test_a_contact_who_forgot_the_password_resets_it_from_the_emailed_link(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811
    alice,
    settings,
):
    from playwright.sync_api import expect

    from orderflow.accounts.actions import create_portal_login
    from orderflow.core.actors import Actor
    from orderflow.notifications.models import SandboxMessage
    from orderflow.notifications.worker import Worker

    settings.NOTIFICATIONS_SANDBOX = True
    settings.SITE_URL = live_server.url
    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    page = browser_page

    # Given Alice forgot her password and asks for a link on the login page
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("alice@cornerbar.example")
    page.get_by_role("button", name="Send me a link").click()
    assert not SandboxMessage.objects.exists()  # nothing is sent from the request

    # When the worker sends the email and she opens its link
    assert Worker().run_once() > 0
    email = SandboxMessage.objects.get(to="alice@cornerbar.example")
    link = re.search(r"http://\S+/reset/\S+/", email.body).group(0)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(CHOSEN)
    page.get_by_label("New password confirmation").fill(CHOSEN)
    page.get_by_role("button", name="Set my password").click()

    # Then she signs in with the new password, not the old one
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("alice@cornerbar.example")
    page.get_by_label("Password").fill(CHOSEN)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="My orders")).to_be_visible()

    # And the link does not work twice
    page.goto(link)
    expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()
