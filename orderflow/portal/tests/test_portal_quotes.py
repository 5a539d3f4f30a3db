"""The customer answers a quote in the portal (signed in, or by the link in the email), and asks for a
quote with a free request."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from orderflow.core.actors import Actor
from orderflow.notifications.models import Notification
from orderflow.notifications.render import render
from orderflow.orders.actions import LineInput, place_order
from orderflow.orders.models import Order
from orderflow.quotes.actions import QuoteLineInput, create_quote, revise_quote, send_quote
from orderflow.quotes.models import Quote, QuoteStatus
from orderflow.workflows.actions import install_order_type

LATER = dt.date.today() + dt.timedelta(days=40)


@pytest.fixture
def services(acme):
    return install_order_type(acme, preset="services-marketplace", actor=Actor.system())


@pytest.fixture
def sent(services, corner_bar, alice, olivia) -> Quote:
    order = place_order(
        corner_bar, order_type=services, actor=Actor.customer(alice), lines=[LineInput("Spring campaign")]
    )
    quote = create_quote(
        order,
        actor=Actor.staff(olivia),
        lines=[QuoteLineInput("Campaign design", 1, "800"), QuoteLineInput("Posts", 4, "150")],
        expires_on=dt.date.today() + dt.timedelta(days=10),
        completion_on=LATER,
    )
    return send_quote(quote, actor=Actor.staff(olivia))


def _order_url(order: Order, *rest: str) -> str:
    return f"/my/orders/{order.number}/" + "".join(rest)


def _version(order: Order) -> dict[str, int]:
    order.refresh_from_db()
    return {"version": order.version}


def test_the_customer_accepts_the_quote_in_the_portal(as_alice, sent):
    order = sent.order
    page = as_alice.get(_order_url(order)).content.decode()
    assert 'data-testid="quote-waiting"' in page
    assert "Campaign design" in page
    response = as_alice.post(_order_url(order, "quote/1/accept/"), _version(order))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "approved"
    assert order.estimated_completion == LATER
    assert [line.description for line in order.lines.all()] == ["Campaign design", "Posts"]
    page = as_alice.get(_order_url(order)).content.decode()
    assert 'data-testid="quote-waiting"' not in page
    assert "Campaign design" in page


def test_declining_needs_a_reason(as_alice, sent):
    order = sent.order
    response = as_alice.post(_order_url(order, "quote/1/decline/"), {**_version(order), "reason": ""})
    assert response.status_code == 400
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.SENT
    response = as_alice.post(_order_url(order, "quote/1/decline/"), {**_version(order), "reason": "Too much"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.DECLINED
    assert sent.decline_reason == "Too much"


def test_a_superseded_version_is_refused(as_alice, sent, olivia):
    order = sent.order
    revise_quote(sent, actor=Actor.staff(olivia))
    response = as_alice.post(_order_url(order, "quote/1/accept/"), _version(order))
    assert response.status_code == 409
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.SUPERSEDED


def test_drafts_are_not_shown_nor_answerable(as_alice, services, corner_bar, alice, olivia):
    order = place_order(
        corner_bar, order_type=services, actor=Actor.customer(alice), lines=[LineInput("Logo")]
    )
    create_quote(order, actor=Actor.staff(olivia), lines=[QuoteLineInput("Logo", 1, "300")])
    page = as_alice.get(_order_url(order)).content.decode()
    assert 'data-testid="quotes"' not in page
    assert as_alice.post(_order_url(order, "quote/1/accept/"), _version(order)).status_code == 404


def test_another_customer_cannot_answer(client, carla, sent):
    client.force_login(carla.user)
    order = sent.order
    assert client.post(_order_url(order, "quote/1/accept/"), _version(order)).status_code == 404
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.SENT


def test_the_emailed_link_opens_the_quote_and_accepts_it(client, sent, alice):
    notification = Notification.objects.get(event__type="quote_sent", contact=alice)
    text = render(notification).text
    link = re.search(r"https?://\S+/t/(\S+?)/", text)
    assert link is not None
    token = link.group(1)
    page = client.get(f"/t/{token}/").content.decode()
    assert 'data-testid="quote-waiting"' in page
    url = reverse("portal_track_quote", kwargs={"token": token, "version": 1, "answer": "accept"})
    response = client.post(url, _version(sent.order))
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.ACCEPTED
    assert sent.decided_by_contact == alice
    assert notification.order_id == sent.order_id


def test_a_tampered_link_answers_nothing(client, sent):
    url = reverse("portal_track_quote", kwargs={"token": "x" * 24, "version": 1, "answer": "accept"})
    assert client.post(url, {"version": 1}).status_code == 404
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.SENT


def test_a_free_request_waits_for_a_quote(as_alice, services):
    page = as_alice.get(reverse("portal_order_new")).content.decode()
    assert reverse("portal_request_new") in page
    assert as_alice.post(reverse("portal_request_new"), {"title": "", "details": "x"}).status_code == 400
    response = as_alice.post(
        reverse("portal_request_new"), {"title": "Trade show booth design", "details": "For the May fair"}
    )
    assert response.status_code == 302
    order = Order.objects.get(title="Trade show booth design")
    assert order.state == "pending_quotes"
    assert order.customer_notes == "For the May fair"
    assert order.lines.get().unit_price is None


def test_no_free_request_where_the_seller_takes_none(as_alice, acme):
    install_order_type(acme, preset="shop", actor=Actor.system())
    assert reverse("portal_request_new") not in as_alice.get(reverse("portal_order_new")).content.decode()
    assert as_alice.get(reverse("portal_request_new")).status_code == 404
