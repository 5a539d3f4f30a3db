"""The Content-Security-Policy lets the real pages work: Chromium reports no violation on the staff
workspace, the Outbox's HTML preview, a customer's link page, the admin and the API docs."""

from __future__ import annotations

import pytest

from orderflow.conftest import PASSWORD
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401 (fixtures)

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


@pytest.mark.browser
def test_the_pages_run_under_the_content_security_policy(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811 (the fixture imported above)
    make_order,
    olivia,
    alice,
    settings,
):
    from playwright.sync_api import expect

    from orderflow.core.actors import Actor
    from orderflow.notifications import links
    from orderflow.notifications.actions import update_rule
    from orderflow.notifications.models import NotificationRule
    from orderflow.notifications.worker import Worker
    from orderflow.orders.actions import transition_order

    # Given an order with a message to Alice kept in the sandbox (urgent, so that the test does not depend
    # on the hour it runs at), and her tracking link
    settings.NOTIFICATIONS_SANDBOX = True
    order = make_order("shop", title="Birthday cake")
    rule = NotificationRule.objects.get(
        order_type=order.order_type, event="status_changed", state="in_preparation", audience="contact"
    )
    update_rule(rule, actor=Actor.staff(olivia), urgent=True)
    transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    Worker().run_once()
    track = links.url("track", order=order.pk, contact=alice.pk).split("/t/", 1)[1]
    page = browser_page
    page.add_init_script(WATCH_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text))

    def visit(path: str) -> None:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == [], path

    # When Olivia logs in and goes through her pages, and Alice opens her link
    visit("/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Manage orders")).to_be_visible()
    assert page.evaluate("window.__violations") == []
    seller = f"/s/{olivia.seller.slug}"
    for page_path in ("orders/", f"orders/{order.number}/", "outbox/", "settings/notifications/"):
        visit(f"{seller}/{page_path}")
    page.get_by_role("link", name="Outbox", exact=True).click()
    page.get_by_role("link", name="Read the message to Alice Martin (Email").first.click()
    expect(page.frame_locator("iframe.message-html").locator("body")).to_contain_text("Birthday cake")
    assert page.evaluate("window.__violations") == []
    visit("/api/v1/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    assert page.evaluate("window.__violations") == []
    visit(f"/t/{track}")

    # Then no page broke the policy
    assert not [line for line in console if "Content Security Policy" in line], console
