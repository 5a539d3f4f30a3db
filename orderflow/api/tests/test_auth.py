"""Tokens: who may call, what a read token may do, who a change is recorded as, and rate limits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from orderflow.api.tests.conftest import ApiClient, assert_error, operations
from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_api_token, revoke_api_token
from orderflow.integrations.models import ApiToken
from orderflow.orders.models import OrderEvent

WRITES = [(method, path) for method, path in operations() if method != "GET"]


def _filled(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "1", path)


def test_a_request_without_a_token_is_401(db):
    response = ApiClient(None).get("/orders")
    body = assert_error(response, 401, "unauthorized")
    assert "Bearer" in body["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer of_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer", "of_x"])
def test_a_wrong_or_malformed_token_is_401(acme_token, header):
    response = Client().get("/api/v1/orders", headers={"Authorization": header})
    assert_error(response, 401, "unauthorized")


def test_a_revoked_token_is_401(acme_token, olivia):
    token, raw = acme_token
    assert ApiClient(raw).get("/orders").status_code == 200
    revoke_api_token(token, actor=Actor.staff(olivia))
    body = assert_error(ApiClient(raw).get("/orders"), 401, "token_inactive")
    assert body["details"] == {"reason": "revoked"}


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_read_token_is_refused_every_write_with_403(read_api, method, path):
    response = read_api.request(method, _filled(path), {})
    assert_error(response, 403, "read_only_token")


def test_a_read_token_may_read(read_api, make_order):
    make_order("shop")
    response = read_api.get("/orders")
    assert response.status_code == 200
    assert [order["number"] for order in response.json()["items"]] == [1]


def test_writes_need_no_csrf_token(acme_token, corner_bar, order_types):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/customers",
        {"name": "Harbour Café"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {acme_token[1]}"},
    )
    assert response.status_code == 201


def test_last_used_time_and_address_are_written_at_most_once_a_minute(acme_token):
    token, raw = acme_token
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        ApiClient(raw).client.get("/api/v1/orders", REMOTE_ADDR="203.0.113.7", headers=ApiClient(raw).headers)
    token.refresh_from_db()
    assert (token.last_used_at, token.last_used_from) == (start, "203.0.113.7")
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        ApiClient(raw).client.get("/api/v1/orders", REMOTE_ADDR="2001:db8::1", headers=ApiClient(raw).headers)
    token.refresh_from_db()
    assert (token.last_used_at, token.last_used_from) == (start, "203.0.113.7")
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        ApiClient(raw).client.get("/api/v1/orders", REMOTE_ADDR="2001:db8::1", headers=ApiClient(raw).headers)
    token.refresh_from_db()
    assert (token.last_used_at, token.last_used_from) == (start + dt.timedelta(seconds=61), "2001:db8::1")


# ----------------------------------------------------------------------------------------------
# Who a change is recorded as


def test_a_change_is_recorded_as_the_tokens_creator_via_the_token(api, make_order, olivia):
    order = make_order("shop")
    response = api.post(f"/orders/{order.number}/transitions", {"to": "in_preparation"})
    assert response.status_code == 200
    event = OrderEvent.objects.filter(order=order).latest("pk")
    assert event.actor_kind == "staff"
    assert event.actor_name == "Olivia via API (ERP sync)"
    assert event.actor_user == olivia.user


def test_a_staff_members_token_cannot_do_what_only_managers_may(acme, sam):
    # Given a token that acts as Sam, who is staff (not a manager), made on the command line
    _, raw = create_api_token(acme, name="Sam's tool", scope="read_write", member=sam, actor=Actor.system())
    response = ApiClient(raw).post("/webhooks", {"url": "https://hooks.example.com/x"})
    assert_error(response, 403, "forbidden")
    assert ApiToken.objects.get(name="Sam's tool").membership == sam


# ----------------------------------------------------------------------------------------------
# Rate limits


def test_past_the_rate_limit_a_token_gets_429_with_retry_after(settings, acme_token, read_api):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW_SECONDS = 60
    api = ApiClient(acme_token[1])
    start = dt.datetime(2026, 3, 2, 9, 0, 10, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        statuses = [api.get("/staff").status_code for _ in range(3)]
        refused = api.get("/staff")
        other_token = read_api.get("/staff")
    assert statuses == [200, 200, 200]
    body = assert_error(refused, 429, "rate_limited")
    assert refused["Retry-After"] == "50"
    assert body["details"]["retry_after"] == 50
    assert other_token.status_code == 200  # counted per token
    with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
        assert api.get("/staff").status_code == 200  # a new window


def test_responses_carry_the_remaining_quota(settings, api):
    settings.API_RATE_LIMIT = 10
    first, second = api.get("/staff"), api.get("/staff")
    assert first["RateLimit-Limit"] == "10"
    assert int(first["RateLimit-Remaining"]) == int(second["RateLimit-Remaining"]) + 1
