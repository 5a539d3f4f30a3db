"""No seller slows another: a webhook endpoint that takes 14 seconds to answer, with events queued for
it, holds up neither another seller's in-app items (another lane) nor another seller's webhooks (sent
side by side), and a delivery whose endpoint is deleted while it is being sent is closed quietly."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.utils import timezone

from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_webhook_endpoint, delete_webhook_endpoint
from orderflow.integrations.models import WebhookEndpoint
from orderflow.notifications.models import Category, Channel, Delivery, Notification, Status
from orderflow.notifications.outbox import WAKE_CHANNEL
from orderflow.notifications.tests.conftest import wait_for
from orderflow.notifications.worker import Worker

SLOW_SECONDS = 14.0
# How late another seller's message may be, from being written to being sent.
BOUND_SECONDS = 2.0


class Endpoint:
    """A local webhook receiver that answers 200 after `delay` seconds and counts what it got."""

    def __init__(self, delay: float) -> None:
        self.received = 0
        self.started = threading.Event()  # set when a request has come in
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["content-length"]))
                endpoint.started.set()
                time.sleep(delay)
                endpoint.received += 1
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoints(settings) -> Iterator[dict[str, Endpoint]]:
    settings.ALLOW_PRIVATE_DESTINATIONS = True
    found = {"slow": Endpoint(SLOW_SECONDS), "fast": Endpoint(0)}
    yield found
    for endpoint in found.values():
        endpoint.close()


def _queued(channel: str, address: str, key: str, **notification: object) -> Delivery:
    """A delivery due now on `channel`, for a notification with these fields."""
    now = timezone.now()
    told = Notification.objects.create(
        category=Category.TRANSACTIONAL, idempotency_key=key, reason="test", created_at=now, **notification
    )
    return Delivery.objects.create(
        notification=told, channel=channel, address=address, due_at=now, reason="test", created_at=now
    )


def _webhook_delivery(endpoint: WebhookEndpoint, key: str) -> Delivery:
    shown = f"webhook #{endpoint.pk}"
    return _queued(
        Channel.WEBHOOK,
        shown,
        key,
        seller_id=endpoint.seller_id,
        webhook=endpoint,
        payload={"id": key, "type": "test.ping"},
        recipient_name=shown,
        template="webhook",
    )


def _in_app_delivery(membership_id: int, seller_id: int, key: str) -> Delivery:
    return _queued(
        Channel.IN_APP,
        f"staff:{membership_id}",
        key,
        seller_id=seller_id,
        membership_id=membership_id,
        payload={"endpoint_url": "https://example.test/", "reason": "test"},
        recipient_name="Rita",
        template="webhook_disabled",
    )


def _wake() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {WAKE_CHANNEL}")


def _seconds_until_sent(delivery: Delivery, *, timeout: float) -> float:
    began = time.monotonic()
    sent = wait_for(
        lambda: Delivery.objects.filter(pk=delivery.pk, status=Status.SENT).exists(),
        timeout=timeout,
        step=0.02,
    )
    assert sent, Delivery.objects.get(pk=delivery.pk).error
    return time.monotonic() - began


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_slow_endpoint_does_not_delay_another_sellers_messages(
    endpoints, acme, olivia, rival, rita, smtp_sink, start_worker
):
    # Given six webhook events of Acme queued for an endpoint that answers in 14 seconds
    slow = create_webhook_endpoint(acme, url=endpoints["slow"].url, actor=Actor.staff(olivia))
    for n in range(6):
        _webhook_delivery(slow, f"slow-{n}")
    worker = start_worker(smtp_port=smtp_sink.port, name="fair", ALLOW_PRIVATE_DESTINATIONS="true")
    # ... and the worker busy sending them
    assert wait_for(endpoints["slow"].started.is_set, timeout=60), worker.output()

    # When Rival's owner is given an in-app item and Rival's own endpoint an event
    fast = create_webhook_endpoint(rival, url=endpoints["fast"].url, actor=Actor.staff(rita))
    in_app = _in_app_delivery(rita.pk, rival.pk, "rival-in-app")
    hook = _webhook_delivery(fast, "rival-hook")
    _wake()

    # Then both are sent within the bound, while Acme's slow sends are still under way
    assert _seconds_until_sent(in_app, timeout=SLOW_SECONDS) < BOUND_SECONDS
    assert _seconds_until_sent(hook, timeout=SLOW_SECONDS) < BOUND_SECONDS
    assert endpoints["fast"].received == 1
    assert Delivery.objects.filter(notification__webhook=slow, status=Status.SENT).count() < 6


@pytest.mark.django_db(transaction=True)
def test_a_delivery_whose_endpoint_is_deleted_while_it_is_sent_is_closed_quietly(endpoints, acme, olivia):
    # Given an event for an endpoint that takes a while to answer, being sent
    answering_late = Endpoint(1.0)
    try:
        endpoint = create_webhook_endpoint(acme, url=answering_late.url, actor=Actor.staff(olivia))
        delivery = _webhook_delivery(endpoint, "doomed")
        worker, results = Worker(name="sender"), []

        def send() -> None:
            try:
                results.append(worker.run_once())
            finally:
                connection.close()

        sending = threading.Thread(target=send)
        sending.start()
        assert wait_for(answering_late.started.is_set, timeout=10)

        # When its endpoint is deleted meanwhile
        delete_webhook_endpoint(endpoint, actor=Actor.staff(olivia))
        sending.join(timeout=30)

        # Then the worker finished its step without a crash, and the delivery is gone with its endpoint
        assert not sending.is_alive()
        assert results == [1]
        assert not Delivery.objects.filter(pk=delivery.pk).exists()
        assert Worker(name="next").run_once() == 0
    finally:
        answering_late.close()
