"""The approval page in Chromium on a phone: the customer ticks, picks their contact record and
accepts, after the page told them what was missing; a thank-you page follows."""

from __future__ import annotations

import pytest

from orderflow.web.tests.test_accessibility_browser import AXE, REPORT
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401  (fixtures)

PHONE = {"width": 375, "height": 740}


def axe_violations(page) -> list[str]:
    """What axe-core finds on the page (none checked when the set-up did not install it)."""
    if not AXE.exists():
        return []
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate(f"axe.run(document).then({REPORT})")


@pytest.mark.browser
def test_a_contact_accepts_the_terms_on_the_approval_page(
    immutable_rows_removed,
    live_server,
    browser_page,  # noqa: F811
    quote,
    alice,
    bruno,
    olivia,
    terms,
):
    from playwright.sync_api import expect

    from orderflow.core.actors import Actor
    from orderflow.notifications import links
    from orderflow.orders.models import Order
    from orderflow.quotes.actions.confirmations import send_confirmation
    from orderflow.quotes.models import Acceptance

    # Given Olivia sent Alice a confirmation of the quote
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    # (axe-core is injected as a script: the page's CSP is bypassed for the test only)
    page = browser_page.context.browser.new_context(bypass_csp=True, viewport=PHONE).new_page()
    page.set_default_timeout(15_000)

    # When Alice opens the approval link on her phone
    page.goto(f"{live_server.url}/a/{links.approval_token(confirmation.pk, confirmation.link_nonce)}/")

    # Then she sees the products and quantities without prices, and the terms with their version
    expect(page.get_by_role("heading", name="Agreement approval")).to_be_visible()
    expect(page.get_by_test_id("summary")).to_contain_text("Firewall appliance")
    expect(page.get_by_test_id("summary")).not_to_contain_text("1,249")
    expect(page.get_by_test_id("terms")).to_contain_text("version 1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []

    # When she accepts without ticking anything, the page says what is missing and nothing is saved
    page.get_by_role("button", name="Accept terms").click()
    expect(page.locator("#approval-error")).to_have_attribute("data-code", "terms_not_agreed")
    page.get_by_label("I have read, understood and agree to the terms").check()
    page.get_by_role("button", name="Accept terms").click()
    expect(page.locator("#approval-error")).to_have_attribute("data-code", "authority_not_confirmed")
    page.get_by_label("I am authorised to accept them on behalf of Corner Bar").check()
    page.get_by_role("button", name="Accept terms").click()
    expect(page.locator("#approval-error")).to_have_attribute("data-code", "contact_required")
    assert not Acceptance.objects.exists()
    assert axe_violations(page) == []

    # When she picks her own contact record with both ticks, she is thanked
    expect(page.get_by_label("I have read, understood and agree to the terms")).to_be_checked()
    page.get_by_label("Alice Martin").check()
    page.get_by_role("button", name="Accept terms").click()
    expect(page.get_by_test_id("thanks")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []

    # And the evidence names her, her browser and the terms shown
    acceptance = Acceptance.objects.get()
    assert acceptance.contact == alice
    assert "Chrome" in acceptance.user_agent
    assert acceptance.terms_sha256 == terms.sha256
    assert Order.objects.get(pk=quote.order_id).state == "terms_accepted"
