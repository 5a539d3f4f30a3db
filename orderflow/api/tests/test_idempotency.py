"""Idempotency-Key: a retried POST is answered with the first response and changes nothing more."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from orderflow.api.tests.conftest import assert_error
from orderflow.core.actors import Actor
from orderflow.integrations.models import IdempotencyRecord
from orderflow.orders.actions import transition_order
from orderflow.orders.models import Order, OrderEvent


@pytest.fixture
def new_order(order_types, corner_bar):
    return {"customer": corner_bar.pk, "order_type": "shop", "lines": [{"description": "Crate of cola"}]}


def test_a_retry_with_the_same_key_replays_the_first_response(api, new_order):
    first = api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})
    again = api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_a_replayed_change_is_not_applied_twice(api, make_order):
    order = make_order("shop")
    key = {"Idempotency-Key": "refund-1"}
    body = {"amount": "5.00", "reason": "Dented can"}
    first = api.post(f"/orders/{order.number}/refunds", body, headers=key)
    again = api.post(f"/orders/{order.number}/refunds", body, headers=key)
    assert first.json()["refunded"] == again.json()["refunded"] == "5.00"
    assert order.refunds.count() == 1


def test_the_same_key_with_another_body_is_422(api, new_order):
    api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})
    changed = {**new_order, "title": "Something else"}
    response = api.post("/orders", changed, headers={"Idempotency-Key": "order-42"})
    assert_error(response, 422, "idempotency_key_reused")
    assert_error(api.post("/customers", {"name": "X"}, headers={"Idempotency-Key": "order-42"}), 422)
    assert Order.objects.count() == 1


def test_the_same_key_while_the_first_request_runs_is_409(api, new_order, acme):
    # Given the first request with this key has claimed it and is still running
    api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})
    IdempotencyRecord.objects.filter(key="order-42").update(status_code=None, response_body=None)

    response = api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})

    assert_error(response, 409, "idempotency_in_progress")
    assert Order.objects.count() == 1


def test_a_claim_left_by_a_request_that_died_is_taken_over_after_the_lease(api, new_order, acme):
    # Given a claim whose request died (its change was rolled back with it) ten minutes ago
    api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})
    Order.objects.all().delete()
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    IdempotencyRecord.objects.filter(key="order-42").update(status_code=None, created_at=long_ago)

    response = api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})

    assert response.status_code == 201
    assert Order.objects.count() == 1


def test_keys_expire_after_24_hours(api, new_order):
    start = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})
    with time_machine.travel(start + dt.timedelta(hours=23), tick=False):
        assert api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})["Idempotent-Replayed"]
    with time_machine.travel(start + dt.timedelta(hours=24, seconds=1), tick=False):
        fresh = api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})
    assert fresh.status_code == 201
    assert "Idempotent-Replayed" not in fresh
    assert Order.objects.count() == 2


def test_a_400_refusal_is_replayed(api, make_order):
    order = make_order("shop")
    body = {"amount": "999.00", "reason": "Too much"}
    first = api.post(f"/orders/{order.number}/refunds", body, headers={"Idempotency-Key": "c"})
    again = api.post(f"/orders/{order.number}/refunds", body, headers={"Idempotency-Key": "c"})
    assert_error(first, 400, "refund_too_large")
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"


def test_after_a_409_the_same_key_may_be_retried(api, make_order, olivia):
    # Given a client whose change was refused because the order changed meanwhile
    order = make_order("shop")
    transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    headers = {"If-Match": '"1"', "Idempotency-Key": "move-1"}
    body = {"to": "ready_for_pickup"}
    assert_error(api.post(f"/orders/{order.number}/transitions", body, headers=headers), 409, "stale")

    # When it reloads and retries with the same key and body
    retried = api.post(f"/orders/{order.number}/transitions", body, headers={**headers, "If-Match": '"2"'})

    # Then the retry runs (a conflict is not an answer kept for the key)
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried
    assert retried.json()["state"] == "ready_for_pickup"


def test_an_unexpected_failure_releases_the_key_and_keeps_nothing(api, new_order, monkeypatch):
    # Given placing orders fails after writing (a bug, a lost database connection...)
    from orderflow.api import orders as endpoints

    real = endpoints.place_order

    def broken(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("boom")

    monkeypatch.setattr(endpoints, "place_order", broken)
    with pytest.raises(RuntimeError):
        api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"})

    # Then the order written before the failure was rolled back with it, and the key is free again
    assert Order.objects.count() == 0
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.setattr(endpoints, "place_order", real)
    assert api.post("/orders", new_order, headers={"Idempotency-Key": "order-42"}).status_code == 201
    assert OrderEvent.objects.count() == 1


def test_a_key_that_is_not_printable_ascii_is_400(api, new_order):
    assert_error(
        api.post("/orders", new_order, headers={"Idempotency-Key": "é"}), 400, "invalid_idempotency_key"
    )
    assert_error(api.post("/orders", new_order, headers={"Idempotency-Key": "k" * 256}), 400)


def test_posts_without_a_key_are_not_recorded(api, new_order):
    api.post("/orders", new_order)
    api.post("/orders", new_order)
    assert Order.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_with_one_key_run_once(acme_token, new_order, monkeypatch):
    # Given the first request with a key is inside its action (held there until the second has answered)
    from orderflow.api import orders as endpoints
    from orderflow.api.tests.conftest import ApiClient

    real, inside, release = endpoints.place_order, threading.Event(), threading.Event()

    def held(*args, **kwargs):
        order = real(*args, **kwargs)
        inside.set()
        release.wait(20)
        return order

    monkeypatch.setattr(endpoints, "place_order", held)
    answers: dict[str, object] = {}

    def first() -> None:
        try:
            answers["first"] = ApiClient(acme_token[1]).post(
                "/orders", new_order, headers={"Idempotency-Key": "k"}
            )
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(20)

    # When the same request arrives meanwhile
    second = None
    if connection.vendor == "postgresql":
        second = ApiClient(acme_token[1]).post("/orders", new_order, headers={"Idempotency-Key": "k"})
    release.set()
    thread.join(30)

    # Then it is told the first is still running (SQLite queues writers, so there it would wait
    # and then get the replay, checked below), and the order exists once
    if second is not None:
        assert_error(second, 409, "idempotency_in_progress")
    first_answer = answers["first"]
    assert first_answer.status_code == 201
    replay = ApiClient(acme_token[1]).post("/orders", new_order, headers={"Idempotency-Key": "k"})
    assert replay.content == first_answer.content
    assert Order.objects.count() == 1
