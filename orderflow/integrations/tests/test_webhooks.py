"""Webhooks through the outbox: signed per Standard Webhooks (verified by its official package against a
local receiver), retried on the schedule, disabled after five days of failures, redeliverable."""

from __future__ import annotations

import datetime as dt
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import call_command
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.integrations.actions import (
    create_api_token,
    create_webhook_endpoint,
    hash_token,
    redeliver,
)
from orderflow.integrations.models import ApiToken, WebhookEndpoint
from orderflow.notifications.models import Channel, Delivery, DeliveryAttempt, InboxItem, Notification, Status
from orderflow.notifications.worker import Worker
from orderflow.orders.actions import transition_order


class Receiver:
    """A local HTTP endpoint that records requests and answers with `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.ALLOW_PRIVATE_DESTINATIONS = True
    found = Receiver()
    yield found
    found.close()


def webhook_deliveries():
    return Delivery.objects.filter(channel=Channel.WEBHOOK).order_by("pk")


def test_a_status_change_reaches_the_endpoint_signed_and_verifiable(receiver, make_order, acme, olivia):
    endpoint = create_webhook_endpoint(
        acme, url=receiver.url, event_types=["order.status_changed"], actor=Actor.staff(olivia)
    )
    order = make_order("shop")
    transition_order(order, to="in_preparation", actor=Actor.staff(olivia), note="Packing now")

    Worker().run_once()

    [(headers, body)] = receiver.requests
    payload = Webhook(endpoint.secret).verify(body, headers)  # raises if the signature is wrong
    assert payload["type"] == "order.status_changed"
    assert payload["data"]["order"]["number"] == order.number
    assert payload["data"]["order"]["state"] == "in_preparation"
    assert payload["data"]["event"]["note"] == "Packing now"
    assert headers["webhook-id"].startswith("msg_")
    assert webhook_deliveries().get().status == Status.SENT


def test_a_tampered_body_does_not_verify(receiver, make_order, acme, olivia):
    endpoint = create_webhook_endpoint(acme, url=receiver.url, actor=Actor.staff(olivia))
    make_order("shop")
    Worker().run_once()
    headers, body = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(body.replace(b"newly_placed", b"cancelled"), headers)


def test_only_subscribed_event_types_are_sent(receiver, make_order, acme, olivia):
    create_webhook_endpoint(
        acme, url=receiver.url, event_types=["order.cancelled"], actor=Actor.staff(olivia)
    )
    order = make_order("shop")
    transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    assert not webhook_deliveries().exists()


def test_failures_are_retried_on_the_schedule_with_the_same_webhook_id(receiver, make_order, acme, olivia):
    create_webhook_endpoint(acme, url=receiver.url, actor=Actor.staff(olivia))
    receiver.status = 503
    start = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        make_order("shop")
        Worker().run_once()
    delivery = webhook_deliveries().get()
    assert delivery.status == Status.PENDING
    assert delivery.due_at == start + dt.timedelta(seconds=5)
    assert "503" in delivery.error

    receiver.status = 204
    with time_machine.travel(start + dt.timedelta(seconds=5), tick=False):
        Worker().run_once()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert [h["webhook-id"] for h, _ in receiver.requests] == [receiver.requests[0][0]["webhook-id"]] * 2
    assert list(delivery.attempt_log.values_list("outcome", flat=True)) == ["retry", "sent"]


def test_an_endpoint_failing_for_five_days_is_disabled_and_the_seller_told(
    receiver, make_order, acme, olivia
):
    endpoint = create_webhook_endpoint(acme, url=receiver.url, actor=Actor.staff(olivia))
    receiver.status = 500
    start = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        make_order("shop")
        Worker().run_once()
    for delay in (5, 300, 1800, 7200, 18000, 36000, 36000):
        start += dt.timedelta(seconds=delay)
        with time_machine.travel(start, tick=False):
            Worker().run_once()
    assert (
        webhook_deliveries().get().status == Status.FAILED
    )  # 8 attempts spent, about 1.15 days after the first

    with time_machine.travel(start + dt.timedelta(days=3), tick=False):  # 4.15 days of failures: still on
        make_order("shop")
        Worker().run_once()
    endpoint.refresh_from_db()
    assert endpoint.is_active
    with time_machine.travel(start + dt.timedelta(days=3, hours=22), tick=False):
        Worker().run_once()  # its retry fails more than 5 days after the first failure
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "failed since 2026-06-01" in endpoint.disabled_reason
    told = Notification.objects.get(template="webhook_disabled", membership=olivia)
    Worker().run_once()
    assert InboxItem.objects.filter(membership=olivia, delivery__notification=told).exists()


def test_private_addresses_are_refused_unless_allowed(receiver, make_order, acme, olivia, settings):
    create_webhook_endpoint(acme, url=receiver.url, actor=Actor.staff(olivia))
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    make_order("shop")
    Worker().run_once()
    delivery = webhook_deliveries().get()
    assert delivery.status == Status.FAILED
    assert not receiver.requests


def test_a_delivery_can_be_sent_again_by_hand(receiver, make_order, acme, olivia, sam):
    create_webhook_endpoint(acme, url=receiver.url, actor=Actor.staff(olivia))
    make_order("shop")
    Worker().run_once()
    first = webhook_deliveries().get()
    with pytest.raises(Forbidden):
        redeliver(first, actor=Actor.staff(sam))
    again = redeliver(first, actor=Actor.staff(olivia))
    Worker().run_once()
    again.refresh_from_db()
    assert again.status == Status.SENT
    assert receiver.requests[0][0]["webhook-id"] == receiver.requests[1][0]["webhook-id"]
    assert DeliveryAttempt.objects.filter(delivery=again, outcome="sent").exists()


def test_endpoints_are_validated(acme, olivia):
    with pytest.raises(ActionError, match="http"):
        create_webhook_endpoint(acme, url="ftp://example.com/x", actor=Actor.staff(olivia))
    with pytest.raises(ActionError, match="Unknown event type"):
        create_webhook_endpoint(
            acme, url="https://example.com/x", event_types=["order.exploded"], actor=Actor.staff(olivia)
        )


def test_an_api_token_is_shown_once_and_stored_hashed(acme, olivia, capsys):
    call_command(
        "create_api_token",
        "--seller",
        "acme",
        "--user",
        "olivia",
        "--name",
        "ERP sync",
        "--scope",
        "read_write",
    )
    raw = capsys.readouterr().out.splitlines()[1]
    token = ApiToken.objects.get()
    assert raw.startswith("of_")
    assert token.token_hash == hash_token(raw)
    assert raw not in str(token.__dict__)
    assert token.can_write


def test_only_managers_create_tokens(acme, sam):
    with pytest.raises(Forbidden):
        create_api_token(acme, name="x", scope="read", actor=Actor.staff(sam))


def test_an_endpoint_whose_name_turns_private_after_it_was_added_is_never_reached(
    receiver, make_order, acme, olivia, settings, dns
):
    # Given an endpoint added while its name answered a public address, now answering loopback
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    port = receiver.server.server_port
    dns["erp.example.com"] = [["93.184.216.34"], ["127.0.0.1"]]
    create_webhook_endpoint(acme, url=f"http://erp.example.com:{port}/hooks", actor=Actor.staff(olivia))
    make_order("shop")

    Worker().run_once()

    # Then the connection was refused for good, and the local receiver saw nothing
    assert webhook_deliveries().get().status == Status.FAILED
    assert not receiver.requests


@pytest.mark.parametrize("url", ["http://127.1/", "http://2130706433/", "http://[::ffff:127.0.0.1]/"])
def test_an_endpoint_on_a_private_address_is_refused_and_not_created(acme, olivia, settings, url):
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    with pytest.raises(ActionError) as refused:
        create_webhook_endpoint(acme, url=url, actor=Actor.staff(olivia))
    assert refused.value.code == "private_destination"
    assert not WebhookEndpoint.objects.exists()


def test_a_slow_endpoint_is_given_up_on_when_the_send_budget_runs_out(make_order, acme, olivia, settings):
    # Given an endpoint that answers only after 5 s, and a budget of 1 s a send
    settings.ALLOW_PRIVATE_DESTINATIONS = True
    settings.OUTBOUND_SEND_SECONDS = 1
    slow = Receiver()
    slow.server.RequestHandlerClass.do_POST = lambda handler: time.sleep(5)
    create_webhook_endpoint(acme, url=slow.url, actor=Actor.staff(olivia))
    make_order("shop")
    started = time.monotonic()

    Worker().run_once()

    # Then the worker moved on within the budget (and a little), the delivery waits for a retry
    assert time.monotonic() - started < 3
    delivery = webhook_deliveries().get()
    assert delivery.status == Status.PENDING
    assert DeliveryAttempt.objects.filter(delivery=delivery, outcome="retry").exists()
    slow.close()
