"""A customer acts from a page reached by a link, in Chromium: the page keeps its token out of other
sites' Referer headers, yet its own forms pass Django's CSRF origin check (a `no-referrer` page makes
Chromium post `Origin: null`, which Django refuses)."""

from __future__ import annotations

import pytest

from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401 (fixtures)


@pytest.mark.browser
def test_a_reply_posted_from_the_tracking_link_page_lands_in_the_thread(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811 (the fixture imported above)
    make_order,
    alice,
):
    from playwright.sync_api import expect

    from orderflow.conversations.models import Message
    from orderflow.notifications import links

    order = make_order("shop", title="Birthday cake")
    track = links.url("track", order=order.pk, contact=alice.pk).split("/t/", 1)[1]
    page = browser_page
    statuses: list[int] = []
    page.on("response", lambda response: statuses.append(response.status))

    response = page.goto(f"{live_server.url}/t/{track}")
    assert response is not None
    assert response.headers["referrer-policy"] == "same-origin"
    page.locator("#reply textarea").fill("Can you add candles?")
    page.locator("#reply button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert 403 not in statuses, statuses
    expect(page.get_by_text("Can you add candles?").first).to_be_visible()
    assert Message.objects.filter(order=order, body="Can you add candles?", author_contact=alice).exists()
