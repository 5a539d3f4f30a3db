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


def _emailed_link(contact, version: int = 1) -> str:
    notification = Notification.objects.get(
        event__type="quote_sent", event__data__version=version, contact=contact
    )
    text = render(notification).text
    found = re.search(r"https?://[^/\s]+(/q/\S+?/)", text)
    assert found is not None, text
    return found.group(1)


def test_the_emailed_link_opens_that_version_and_accepts_it(client, sent, alice):
    link = _emailed_link(alice)
    page = client.get(link).content.decode()
    assert 'data-testid="quote-waiting"' in page
    assert "Campaign design" in page
    response = client.post(f"{link}accept/", _version(sent.order))
    assert response.status_code == 302
    assert "/t/" in response["Location"]  # on to the order's page
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.ACCEPTED
    assert sent.decided_by_contact == alice
    page = client.get(link).content.decode()
    assert 'data-testid="quote-closed"' in page  # answered: the link accepts nothing more
    assert client.post(f"{link}accept/", _version(sent.order)).status_code == 409


def test_the_link_of_a_superseded_version_answers_nothing(client, sent, alice, olivia):
    link = _emailed_link(alice)
    revision = revise_quote(sent, actor=Actor.staff(olivia))
    page = client.get(link).content.decode()
    assert 'data-testid="quote-closed"' in page
    assert client.post(f"{link}accept/", _version(sent.order)).status_code == 409
    send_quote(revision, actor=Actor.staff(olivia))
    newer = _emailed_link(alice, version=2)
    assert client.post(f"{newer}decline/", {**_version(sent.order), "reason": ""}).status_code == 400
    assert client.post(f"{newer}decline/", {**_version(sent.order), "reason": "Later"}).status_code == 302
    revision.refresh_from_db()
    assert revision.status == QuoteStatus.DECLINED


def test_a_quote_link_stops_when_the_quote_expires(client, sent, alice):
    import time_machine

    link = _emailed_link(alice)
    later = dt.datetime.combine(sent.expires_on + dt.timedelta(days=2), dt.time(12), tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        assert 'data-testid="quote-closed"' in client.get(link).content.decode()
        assert client.post(f"{link}accept/", {"version": 99}).status_code in (302, 409)
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.SENT  # expired by the job, never accepted


def test_a_tampered_link_answers_nothing(client, sent):
    url = reverse("portal_track_quote", kwargs={"token": "x" * 24, "version": 1, "answer": "accept"})
    assert client.post(url, {"version": 1}).status_code == 404
    assert client.post(f"/q/{'x' * 24}/accept/", {"version": 1}).status_code == 404
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
