"""A token acts as its member, as they are at each request: a matrix of member states (active, deactivated,
removed, demoted) by what the token does, the ERP that confirms orders, and webhook URLs shown in full only
to read-write tokens of owners and managers."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from orderflow.accounts.actions import add_staff, deactivate_staff
from orderflow.accounts.models import Membership, Role
from orderflow.api.tests.conftest import ApiClient, assert_error
from orderflow.conftest import PASSWORD
from orderflow.conversations.models import Message
from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_api_token, create_webhook_endpoint
from orderflow.integrations.models import WebhookEndpoint
from orderflow.orders.models import Order, OrderEvent
from orderflow.workflows.actions import publish_workflow


@pytest.fixture
def max_(acme) -> Membership:
    return add_staff(acme, username="max", password=PASSWORD, first_name="Max", role=Role.MANAGER)


@pytest.fixture
def max_api(acme, max_) -> ApiClient:
    """Max's read-write token, made by Max on the Integrations page."""
    _, raw = create_api_token(acme, name="ERP", scope="read_write", actor=Actor.staff(max_))
    return ApiClient(raw)


@pytest.fixture
def confirmed_by_managers(order_types):
    """The wholesale workflow with confirming reserved to owners and managers (a seller's choice)."""
    order_type = order_types["distributor"]
    assert order_type.current_version is not None
    definition = copy.deepcopy(order_type.current_version.definition)
    for transition in definition["transitions"]:
        if transition["to"] == "confirmed":
            transition["roles"] = [Role.OWNER, Role.MANAGER]
    publish_workflow(order_type, definition=definition, actor=Actor.system(), note="Managers confirm")
    return order_type


def _deactivate(member: Membership, olivia: Membership) -> None:
    deactivate_staff(member, actor=Actor.staff(olivia))


def _remove(member: Membership, olivia: Membership) -> None:
    member.delete()


def _demote(member: Membership, olivia: Membership) -> None:
    # No action changes a role yet: the admin edits the row, which is what this does.
    Membership.objects.filter(pk=member.pk).update(role=Role.STAFF)


MEMBER_CHANGES: dict[str, Callable[[Membership, Membership], None] | None] = {
    "active": None,
    "deactivated": _deactivate,
    "removed": _remove,
    "demoted": _demote,
}

ACTIONS = ["read_orders", "post_message", "confirm_order", "create_webhook", "read_customers"]

# What each member state gets for each action: a status and, for refusals, the error code.
EXPECTED: dict[str, dict[str, tuple[int, str | None]]] = {
    "active": {
        "read_orders": (200, None),
        "post_message": (201, None),
        "confirm_order": (200, None),
        "create_webhook": (201, None),
        "read_customers": (200, None),
    },
    "deactivated": dict.fromkeys(ACTIONS, (401, "token_inactive")),
    "removed": dict.fromkeys(ACTIONS, (401, "token_inactive")),
    # Staff may read, write messages and make moves open to every staff member; not these two.
    "demoted": {
        "read_orders": (200, None),
        "post_message": (201, None),
        "confirm_order": (403, "not_permitted"),
        "create_webhook": (403, "forbidden"),
        "read_customers": (200, None),
    },
}

REASONS = {"deactivated": "member_deactivated", "removed": "member_removed"}


def _call(api: ApiClient, action: str, order: Order):
    if action == "read_orders":
        return api.get("/orders")
    if action == "post_message":
        return api.post(f"/orders/{order.number}/messages", {"body": "Picked by the ERP", "internal": True})
    if action == "confirm_order":
        return api.post(f"/orders/{order.number}/transitions", {"to": "confirmed"})
    if action == "create_webhook":
        return api.post("/webhooks", {"url": "https://outside.example.com/collect"})
    return api.get("/customers")


def _snapshot(order: Order) -> tuple[object, ...]:
    order.refresh_from_db()
    return (
        order.state,
        order.version,
        OrderEvent.objects.filter(order=order).count(),
        Message.objects.filter(order=order).count(),
        WebhookEndpoint.objects.count(),
    )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", list(MEMBER_CHANGES))
def test_a_token_does_what_its_member_may_now(
    acme, olivia, max_, max_api, confirmed_by_managers, make_order, state, action
):
    # Given Max's token, an order waiting to be confirmed, then Max deactivated, removed or demoted
    order = make_order("distributor")
    change = MEMBER_CHANGES[state]
    if change is not None:
        change(max_, olivia)
    before = _snapshot(order)

    response = _call(max_api, action, order)

    status, code = EXPECTED[state][action]
    if code is None:
        assert response.status_code == status, response.content[:300]
        return
    # Then it is refused with a stable code, and nothing changed
    body = assert_error(response, status, code)
    if state in REASONS:
        assert body["details"] == {"reason": REASONS[state]}
    assert _snapshot(order) == before


def test_a_managers_token_confirms_an_order_as_them(acme, max_, max_api, make_order):
    # Given an ERP holding Max's read-write token, and a wholesale order as the workflow ships
    order = make_order("distributor")
    assert "confirmed" in [
        t["to"] for t in max_api.get(f"/orders/{order.number}").json()["available_transitions"]
    ]

    response = max_api.post(f"/orders/{order.number}/transitions", {"to": "confirmed"})

    # Then the order is confirmed, recorded as Max through the token
    assert response.status_code == 200, response.content[:300]
    order.refresh_from_db()
    assert order.state == "confirmed"
    event = OrderEvent.objects.filter(order=order).latest("pk")
    assert (event.actor_kind, event.actor_user, event.actor_name) == ("staff", max_.user, "Max via API (ERP)")


def test_a_token_is_refused_from_the_request_after_its_member_is_deactivated(acme, olivia, max_, max_api):
    assert max_api.get("/orders").status_code == 200
    _deactivate(max_, olivia)
    assert_error(max_api.get("/orders"), 401, "token_inactive")


def test_a_members_token_never_reaches_another_sellers_rows(acme, max_api, rival, rita, make_order):
    # Given an order and an endpoint of Acme, and Rita's token at Rival
    order = make_order("distributor")
    endpoint = create_webhook_endpoint(acme, url="https://erp.example.com/h", actor=Actor.system())
    _, raw = create_api_token(rival, name="Rival ERP", scope="read_write", actor=Actor.staff(rita))
    rival_api = ApiClient(raw)
    before = _snapshot(order)

    # Then Acme's ids answer 404 to Rival's token, as if they did not exist
    assert_error(rival_api.get(f"/orders/{order.number}"), 404, "not_found")
    assert_error(rival_api.post(f"/orders/{order.number}/transitions", {"to": "confirmed"}), 404, "not_found")
    assert_error(rival_api.post(f"/orders/{order.number}/messages", {"body": "x"}), 404, "not_found")
    assert_error(rival_api.get(f"/webhooks/{endpoint.pk}"), 404, "not_found")
    assert_error(rival_api.delete(f"/webhooks/{endpoint.pk}"), 404, "not_found")
    assert _snapshot(order) == before


# ----------------------------------------------------------------------------------------------
# Webhook URLs

SECRET_URL = "https://hook-user:hook-pass@erp.example.com:8443/hooks/t0ken-in-path?key=s3cret-query"
MASKED = "https://erp.example.com/…"


@pytest.fixture
def secret_endpoint(acme, olivia) -> WebhookEndpoint:
    return create_webhook_endpoint(acme, url=SECRET_URL, actor=Actor.staff(olivia))


def _urls_seen(client: ApiClient, endpoint: WebhookEndpoint) -> set[str]:
    listed = {item["url"] for item in client.get("/webhooks").json()}
    return listed | {client.get(f"/webhooks/{endpoint.pk}").json()["url"]}


@pytest.mark.parametrize(
    ("member", "scope", "seen"),
    [
        ("olivia", "read_write", SECRET_URL),
        ("max_", "read_write", SECRET_URL),
        ("olivia", "read", MASKED),
        ("max_", "read", MASKED),
    ],
)
def test_only_read_write_tokens_of_managers_see_full_webhook_urls(
    request, acme, secret_endpoint, member, scope, seen
):
    membership = request.getfixturevalue(member)
    _, raw = create_api_token(acme, name="t", scope=scope, actor=Actor.staff(membership))
    assert _urls_seen(ApiClient(raw), secret_endpoint) == {seen}


def test_a_staff_members_token_sees_webhook_urls_masked(acme, sam, secret_endpoint):
    _, raw = create_api_token(acme, name="Sam's tool", scope="read_write", member=sam, actor=Actor.system())
    client = ApiClient(raw)
    assert _urls_seen(client, secret_endpoint) == {MASKED}
    body = client.get("/webhooks").content.decode()
    for secret in ("hook-user", "hook-pass", "8443", "t0ken-in-path", "s3cret-query"):
        assert secret not in body


def test_a_demoted_managers_token_sees_webhook_urls_masked_from_then_on(
    acme, olivia, max_, max_api, secret_endpoint
):
    assert _urls_seen(max_api, secret_endpoint) == {SECRET_URL}
    _demote(max_, olivia)
    assert _urls_seen(max_api, secret_endpoint) == {MASKED}


def test_another_tokens_retry_never_replays_a_webhooks_secret(acme, sam, max_api):
    # Given Max's token created an endpoint with an Idempotency-Key
    request = {"url": SECRET_URL}
    created = max_api.post("/webhooks", request, headers={"Idempotency-Key": "create-hook"})
    assert created.status_code == 201
    _, raw = create_api_token(acme, name="Sam's tool", scope="read_write", member=sam, actor=Actor.system())

    # When Sam's token sends the same request with the same key
    response = ApiClient(raw).post("/webhooks", request, headers={"Idempotency-Key": "create-hook"})

    # Then it is refused, without the first response (its secret, its full URL)
    assert_error(response, 422, "idempotency_key_reused")
    assert created.json()["secret"] not in response.content.decode()
    assert "s3cret-query" not in response.content.decode()
    assert WebhookEndpoint.objects.count() == 1
