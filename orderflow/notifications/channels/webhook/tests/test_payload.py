"""A webhook carries the order and the event exactly as the API shows them: one shape (orders.shapes),
written down once, read by both."""

from __future__ import annotations

import datetime as dt

import pytest

from orderflow.api.tests.conftest import ApiClient
from orderflow.conversations.actions import post_message
from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_api_token, create_webhook_endpoint
from orderflow.notifications.models import Notification
from orderflow.orders.actions import (
    assign_order,
    cancel_order,
    refund_order,
    set_estimated_completion,
    transition_order,
)


@pytest.fixture
def api(acme, olivia) -> ApiClient:
    _, raw = create_api_token(acme, name="ERP", scope="read", actor=Actor.staff(olivia))
    return ApiClient(raw)


def sent_about(event_type: str):
    return Notification.objects.filter(webhook__isnull=False, payload__type=event_type).latest("pk").payload


def assert_shown_as_the_api_shows_it(api: ApiClient, payload: dict) -> None:
    """The payload's order is GET /orders/{number} (without the moves the token may make), its event the
    one /orders/{number}/events lists."""
    order, event = payload["data"]["order"], payload["data"]["event"]
    shown = api.get(f"/orders/{order['number']}").json()
    shown.pop("available_transitions")
    assert order == shown
    [logged] = [e for e in api.get(f"/orders/{order['number']}/events").json() if e["id"] == event["id"]]
    assert event == logged


@pytest.fixture
def endpoint(settings, acme, olivia):
    """Subscribed to every event; nothing is sent to it here (no worker runs)."""
    settings.ALLOW_PRIVATE_DESTINATIONS = True
    return create_webhook_endpoint(
        acme, url="http://127.0.0.1:9/hooks", event_types=[], actor=Actor.staff(olivia)
    )


def test_the_payload_shows_the_order_and_event_as_the_api_does(api, endpoint, make_order, olivia, sam):
    # Given an order with an assignee and an estimate
    order = make_order("shop")
    order = assign_order(order, assignee=sam, actor=Actor.staff(olivia))
    order = set_estimated_completion(order, date=dt.date(2099, 6, 1), actor=Actor.staff(olivia))
    # When it moves on
    transition_order(order, to="in_preparation", actor=Actor.staff(olivia), note="Packing now")
    # Then each message shows the order as GET /orders/{number} shows it after the change
    payload = sent_about("order.status_changed")
    assert payload["data"]["order"]["assignee"] == {"id": sam.pk, "name": sam.display_name}
    assert payload["data"]["order"]["estimated_completion"] == "2099-06-01"
    assert_shown_as_the_api_shows_it(api, payload)


def test_each_message_shows_the_order_as_its_whole_change_left_it(api, endpoint, make_order, olivia, alice):
    order = make_order("shop", path=("in_preparation",))
    # A refund saves the order after logging its event; a message is logged by another app
    refund_order(order, amount="5.00", reason="One crate was broken", actor=Actor.staff(olivia))
    assert_shown_as_the_api_shows_it(api, sent_about("order.refunded"))
    post_message(order, body="Thank you", actor=Actor.customer(alice))
    assert_shown_as_the_api_shows_it(api, sent_about("message.posted"))
    # A cancellation with a refund: both messages show the order with both changes
    cancel_order(order, reason="Out of stock", refund_amount="10.00", actor=Actor.staff(olivia))
    cancelled, refunded = sent_about("order.cancelled"), sent_about("order.refunded")
    assert cancelled["data"]["order"] == refunded["data"]["order"]
    assert refunded["data"]["order"]["refunded"] == "15.00"
    assert_shown_as_the_api_shows_it(api, cancelled)
    assert_shown_as_the_api_shows_it(api, refunded)
