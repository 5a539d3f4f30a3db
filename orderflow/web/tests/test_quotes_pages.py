"""Staff answer a request with a quote in the workspace: start it from the request, price it, send it,
revise it; every version stays readable; another seller's staff reach nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from orderflow.core.actors import Actor
from orderflow.orders.actions import LineInput, place_order
from orderflow.quotes.models import Quote, QuoteStatus
from orderflow.web.tests.conftest import order_url
from orderflow.workflows.actions import install_order_type

SOON = dt.date.today() + dt.timedelta(days=10)


@pytest.fixture
def request_order(acme, corner_bar, alice):
    services = install_order_type(acme, preset="services-marketplace", actor=Actor.system())
    return place_order(
        corner_bar, order_type=services, actor=Actor.customer(alice), lines=[LineInput("Spring campaign")]
    )


def _editor_post(order, **lines):
    order.refresh_from_db()
    data = {
        "version": order.version,
        "rows": 2,
        "currency": "USD",
        "expires_on": SOON.isoformat(),
        "completion_on": (SOON + dt.timedelta(days=20)).isoformat(),
        "notes": "Two rounds of changes",
    }
    for index in range(2):
        data.update(
            {
                f"item_{index}": "",
                f"description_{index}": "",
                f"quantity_{index}": "",
                f"unit_price_{index}": "",
                f"tax_rate_{index}": "",
            }
        )
    data.update(lines)
    return data


def _version(order):
    order.refresh_from_db()
    return {"version": order.version}


def test_staff_start_price_send_and_revise_a_quote(as_olivia, request_order):
    order = request_order
    page = as_olivia.get(order_url(order))
    assert order_url(order, "order_quotes") in page.content.decode()
    response = as_olivia.post(order_url(order, "quote_new"), _version(order))
    assert response.status_code == 302
    quote = Quote.objects.get(order=order)
    page = as_olivia.get(order_url(order, "order_quotes"))
    assert 'value="Spring campaign"' in page.content.decode()  # started from the request
    data = _editor_post(
        order,
        description_0="Spring campaign",
        quantity_0="1",
        unit_price_0="900",
        tax_rate_0="10",
        description_1="Extra post",
        quantity_1="2",
        unit_price_1="50",
    )
    response = as_olivia.post(order_url(order, "quote_save", version=1), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    quote.refresh_from_db()
    assert quote.totals().total == 1090
    response = as_olivia.post(order_url(order, "quote_send", version=1), _version(order))
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    # A sent quote is frozen: the editor refuses it.
    response = as_olivia.post(
        order_url(order, "quote_save", version=1), _editor_post(order, description_0="X")
    )
    assert response.status_code == 409
    quote.refresh_from_db()
    assert quote.lines.count() == 2
    as_olivia.post(order_url(order, "quote_revise", version=1), _version(order))
    page = as_olivia.get(order_url(order, "order_quotes")).content.decode()
    assert 'data-testid="quote-1"' in page  # still readable
    assert 'data-testid="quote-editor"' in page
    assert Quote.objects.get(order=order, version=1).status == QuoteStatus.SUPERSEDED


def test_bad_input_shows_the_reason_and_changes_nothing(as_olivia, request_order):
    order = request_order
    as_olivia.post(order_url(order, "quote_new"), _version(order))
    data = _editor_post(order, description_0="Campaign", unit_price_0="-5")
    response = as_olivia.post(order_url(order, "quote_save", version=1), data)
    assert response.status_code == 400
    assert Quote.objects.get(order=order).lines.get().description == "Spring campaign"
    response = as_olivia.post(order_url(order, "quote_send", version=1), _version(order))
    assert response.status_code == 400  # refused with the reason: the line has no price
    assert Quote.objects.get(order=order).status == QuoteStatus.DRAFT
    as_olivia.post(
        order_url(order, "quote_save", version=1),
        _editor_post(order, description_0="Campaign", unit_price_0="100"),
    )
    as_olivia.post(order_url(order, "quote_send", version=1), _version(order))
    response = as_olivia.post(order_url(order, "quote_decline", version=1), {**_version(order), "reason": ""})
    assert response.status_code == 400
    assert Quote.objects.get(order=order).status == QuoteStatus.SENT


def test_staff_accept_on_the_customers_behalf(as_olivia, request_order):
    order = request_order
    as_olivia.post(order_url(order, "quote_new"), _version(order))
    as_olivia.post(
        order_url(order, "quote_save", version=1),
        _editor_post(order, description_0="Campaign", unit_price_0="100"),
    )
    as_olivia.post(order_url(order, "quote_send", version=1), _version(order))
    as_olivia.post(order_url(order, "quote_accept", version=1), _version(order))
    order.refresh_from_db()
    assert order.state == "approved"
    assert order.estimated_completion == SOON + dt.timedelta(days=20)
    page = as_olivia.get(order_url(order)).content.decode()
    assert "Campaign" in page


def test_another_sellers_staff_reach_no_quote(client, rita, request_order, olivia):
    from orderflow.quotes.actions import create_quote

    create_quote(request_order, actor=Actor.staff(olivia))
    client.force_login(rita.user)
    for name, kwargs in [
        ("order_quotes", {}),
        ("quote_new", {}),
        ("quote_send", {"version": 1}),
        ("quote_accept", {"version": 1}),
    ]:
        url = (
            f"/s/acme/orders/{request_order.number}/"
            + {
                "order_quotes": "quotes/",
                "quote_new": "quotes/new/",
                "quote_send": "quotes/1/send/",
                "quote_accept": "quotes/1/accept/",
            }[name]
        )
        response = client.get(url) if name == "order_quotes" else client.post(url, {"version": 1})
        assert response.status_code in (403, 404), (url, response.status_code)
        del kwargs
    assert Quote.objects.get().status == QuoteStatus.DRAFT
