"""schemathesis against /api/v1/openapi.json: every operation, every check, with a valid read-write
token, on a database holding a few orders.

Every check schemathesis has runs: no 5xx; statuses, content types, bodies and headers as documented;
requests the schema forbids refused (negative data); and requests the schema allows accepted (positive
data), unless the refusal is one that no schema can state. Those depend on what exists or on what the
order allows now: a reference to something the seller does not have (422 `invalid`), a cursor that list
never returned, an Idempotency-Key already used for another request, and the actions' own judgements
(a refund larger than what is left, a move the workflow does not have: 400, 403, 409). A refusal of the
request's shape (`validation_error`, `invalid_json`, `invalid_if_match`, `invalid_idempotency_key`, a
model's field validation inside an action) of a request the schema allows fails the test: the schema
left out a constraint the server enforces.

Random ids rarely name a row that exists, so for about half the positive cases the references (order
number, customer, contact, endpoint, delivery, order type, target state) are swapped for real ones: the
fuzzer then reaches the actions too, not only the 404s and 422s in front of them. Negative cases are
sent as generated, so that what makes them invalid stays in them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_api_token, create_webhook_endpoint
from orderflow.notifications.models import Delivery
from orderflow.orders.actions import refund_order

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# The test sends the token itself: a case must not carry a broken Authorization that it then replaces
# (that would turn a negative case positive). Refusals of bad tokens are tested in test_auth.
schema.config.generation.update(with_security_parameters=False)

# Refusals of a request's shape: never the answer to a request the schema allows.
SHAPE_CODES = frozenset(
    {"validation_error", "invalid_json", "invalid_if_match", "invalid_idempotency_key", "too_large"}
)


def _refused_for_its_shape(response: Any) -> bool:
    try:
        body = json.loads(response.content)
    except ValueError:
        return True
    code, details = body.get("code"), body.get("details") or {}
    # An action's model validation names its fields; its rules name one field or none.
    return code in SHAPE_CODES or (response.status_code == 400 and code == "invalid" and "fields" in details)


def valid_data_is_refused_only_on_its_merits(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's positive_data_acceptance, but for the refusals no schema can state (above)."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except AssertionError:
        if _refused_for_its_shape(response):
            raise
        return None


@dataclass(frozen=True)
class Known:
    token: str
    path: dict[str, list[Any]]
    body: dict[str, list[Any]]


@pytest.fixture
def _connection_kept_open():
    """The real WSGI handler closes the database connection after each request, which would close the
    test's transaction; Django's test client avoids that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def known(_connection_kept_open, settings, acme, olivia, sam, make_order, alice, bruno) -> Known:
    """Acme with orders in several states, a refund, a webhook endpoint with deliveries; the rate limit
    out of the way."""
    settings.API_RATE_LIMIT = 100_000
    endpoint = create_webhook_endpoint(acme, url="https://hooks.example.com/in", actor=Actor.staff(olivia))
    shop = make_order("shop", path=("in_preparation",))
    orders = [shop, make_order("shop"), make_order("distributor"), make_order("custom-production")]
    refund_order(shop, amount="5.00", reason="Damaged crate", actor=Actor.staff(olivia))
    _, raw = create_api_token(acme, name="Fuzzer", scope="read_write", actor=Actor.staff(olivia))
    return Known(
        token=raw,
        path={
            "number": [order.number for order in orders],
            "position": [1],
            "customer_id": [alice.customer_id],
            "contact_id": [alice.pk, bruno.pk],
            "endpoint_id": [endpoint.pk],
            "delivery_id": list(
                Delivery.objects.filter(notification__webhook=endpoint).values_list("pk", flat=True)
            ),
        },
        body={
            "customer": [alice.customer_id],
            "contact": [alice.pk, bruno.pk],
            "order_type": ["shop", "distributor"],
            "assignee": [sam.pk, olivia.pk, None],
            "to": ["in_preparation", "ready_for_pickup", "picked_up", "seen"],
            "note": [""],
            "reason": ["Fuzzed reason"],
            "amount": ["1.00"],
            "refund_amount": [None, "1.00"],
            "url": ["https://hooks.example.com/other"],
            "event_types": [[], ["order.placed"]],
        },
    )


def _use_known(case: Any, known: Known, data: st.DataObject) -> None:
    if case.headers:
        case.headers.pop("If-Match", None)
    for name, values in known.path.items():
        if values and name in (case.path_parameters or {}):
            case.path_parameters[name] = data.draw(st.sampled_from(values))
    if isinstance(case.body, dict):
        for name, values in known.body.items():
            if name in case.body:
                case.body[name] = data.draw(st.sampled_from(values))


def _is_positive(case: Any) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


@pytest.mark.slow
@schema.given(data=st.data())
@schema.parametrize()
@settings(
    max_examples=50, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
def test_every_operation_answers_within_its_schema(case, data, known):
    if _is_positive(case) and data.draw(st.booleans()):
        _use_known(case, known, data)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {known.token}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[valid_data_is_refused_only_on_its_merits],
    )
