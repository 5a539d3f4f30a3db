"""/orders/{number}/quotes: drafting, sending, revising, accepting and declining through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from orderflow.api.tests.conftest import assert_error
from orderflow.core.actors import Actor
from orderflow.orders.actions import LineInput, place_order
from orderflow.orders.models import Order
from orderflow.workflows.actions import install_order_type

SOON = (dt.date.today() + dt.timedelta(days=10)).isoformat()
LATER = (dt.date.today() + dt.timedelta(days=30)).isoformat()


@pytest.fixture
def request_order(acme, corner_bar, alice) -> Order:
    services = install_order_type(acme, preset="services-marketplace", actor=Actor.system())
    return place_order(
        corner_bar, order_type=services, actor=Actor.customer(alice), lines=[LineInput("Spring campaign")]
    )


def _draft(api, number, **extra):
    body = {
        "lines": [
            {"description": "Campaign design", "quantity": 1, "unit_price": "800.00", "tax_rate": "10"},
            {"description": "Posts", "quantity": "4", "unit_price": 150},
        ],
        "expires_on": SOON,
        "completion_on": LATER,
        "notes": "Two rounds of changes",
        **extra,
    }
    return api.post(f"/orders/{number}/quotes", body)


def test_draft_send_accept(api, request_order):
    number = request_order.number
    created = _draft(api, number)
    assert created.status_code == 201, created.content
    quote = created.json()
    assert (quote["version"], quote["status"], quote["total"]) == (1, "draft", "1480.00")
    sent = api.post(f"/orders/{number}/quotes/1/send")
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent"
    assert_error(api.patch(f"/orders/{number}/quotes/1", {"notes": "Changed"}), 409, "quote_sent")
    accepted = api.post(f"/orders/{number}/quotes/1/accept")
    assert accepted.json()["status"] == "accepted"
    order = api.get(f"/orders/{number}").json()
    assert order["state"] == "approved"
    assert order["estimated_completion"] == LATER
    assert [line["description"] for line in order["lines"]] == ["Campaign design", "Posts"]
    assert [q["version"] for q in api.get(f"/orders/{number}/quotes").json()] == [1]


def test_revise_then_decline_with_a_reason(api, request_order):
    number = request_order.number
    _draft(api, number)
    api.post(f"/orders/{number}/quotes/1/send")
    revised = api.post(f"/orders/{number}/quotes/1/revise")
    assert revised.status_code == 201
    assert revised.json()["version"] == 2
    assert_error(api.post(f"/orders/{number}/quotes/1/accept"), 409, "quote_superseded")
    patched = api.patch(
        f"/orders/{number}/quotes/2", {"lines": [{"description": "Smaller", "unit_price": 500}]}
    )
    assert patched.json()["total"] == "500.00"
    api.post(f"/orders/{number}/quotes/2/send")
    assert api.post(f"/orders/{number}/quotes/2/decline", {"reason": ""}).status_code in (400, 422)
    declined = api.post(f"/orders/{number}/quotes/2/decline", {"reason": "Budget cut"})
    assert declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "Budget cut"
    statuses = [q["status"] for q in api.get(f"/orders/{number}/quotes").json()]
    assert statuses == ["declined", "superseded"]


def test_bad_input_is_refused(api, request_order):
    number = request_order.number
    assert_error(_draft(api, number, expires_on="2001-01-01"), 400, "invalid_expiry")
    assert _draft(api, number, lines=[{"description": "", "unit_price": 1}]).status_code == 422
    assert _draft(api, number, lines=[{"description": "X", "unit_price": "-1"}]).status_code == 422
    assert _draft(api, number, lines=[{"description": "X", "tax_rate": 120}]).status_code == 422
    assert _draft(api, number, currency="E1R").status_code == 422
    assert api.get(f"/orders/{number}/quotes").json() == []
    api.post(f"/orders/{number}/quotes", {})  # starts from the request's unpriced line
    assert_error(api.post(f"/orders/{number}/quotes/1/send"), 400, "quote_unpriced")
    assert_error(api.post(f"/orders/{number}/quotes/1/accept"), 409, "quote_not_sent")
    assert_error(api.get(f"/orders/{number}/quotes/9"), 404, "not_found")


def test_read_only_tokens_cannot_quote(read_api, request_order):
    assert read_api.post(f"/orders/{request_order.number}/quotes", {}).status_code == 403


def test_another_seller_sees_no_quote(rival_api, api, request_order):
    number = request_order.number
    _draft(api, number)
    assert_error(rival_api.get(f"/orders/{number}/quotes"), 404, "not_found")
    assert_error(rival_api.post(f"/orders/{number}/quotes/1/send"), 404, "not_found")
    assert_error(rival_api.post(f"/orders/{number}/quotes/1/accept"), 404, "not_found")
    assert api.get(f"/orders/{number}/quotes/1").json()["status"] == "draft"


def test_a_body_that_is_not_an_object_is_refused(api, request_order):
    number = request_order.number
    assert api.post(f"/orders/{number}/quotes", [None, None]).status_code == 422
    assert api.get(f"/orders/{number}/quotes").json() == []
    api.post(f"/orders/{number}/quotes", {})
    assert api.patch(f"/orders/{number}/quotes/1", [1]).status_code == 422
