"""Orders through the API: the dashboard's list a page at a time, placing, and every change with its
ETag, each refused the way the action refuses it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orderflow.api.tests.conftest import assert_error
from orderflow.core.actors import Actor
from orderflow.orders.actions import LineInput, assign_order, transition_order
from orderflow.orders.models import Order, OrderEvent


def walk(api, **query) -> list[int]:
    """Every order number the list gives, following `next` to the end."""
    numbers: list[int] = []
    cursor = None
    while True:
        page = api.get("/orders", **query, **({"cursor": cursor} if cursor else {})).json()
        numbers += [order["number"] for order in page["items"]]
        cursor = page["next"]
        if cursor is None:
            return numbers


# ----------------------------------------------------------------------------------------------
# The list


def test_the_list_is_the_dashboards_with_its_filters(api, make_order, olivia, sam):
    shop = make_order("shop", title="Lemonade for the terrace")
    moved = make_order("shop", path=("in_preparation",), title="Cola")
    other = make_order("distributor", title="Ice")
    assign_order(moved, assignee=sam, actor=Actor.staff(olivia))

    def numbers(**query) -> list[int]:
        response = api.get("/orders", **query)
        assert response.status_code == 200, response.json()
        return sorted(order["number"] for order in response.json()["items"])

    assert numbers() == [shop.number, moved.number, other.number]
    assert numbers(search="terrace") == [shop.number]
    assert numbers(search=f"#{other.number}") == [other.number]
    assert numbers(order_type="distributor") == [other.number]
    assert numbers(category="active") == [moved.number]
    assert numbers(state="in_preparation") == [moved.number]
    assert numbers(assignee=sam.pk) == [moved.number]
    assert numbers(assignee="unassigned") == [shop.number, other.number]
    assert numbers(customer=shop.customer_id) == [shop.number, moved.number, other.number]


def test_archived_orders_are_listed_only_when_asked(api, make_order):
    done = make_order("shop", path=("in_preparation", "ready_for_pickup", "picked_up"))
    assert api.post(f"/orders/{done.number}/archive").status_code == 200
    assert api.get("/orders").json()["items"] == []
    assert [o["number"] for o in api.get("/orders", archived="true").json()["items"]] == [done.number]


@pytest.mark.parametrize(
    "sort",
    [
        "-last_activity",
        "last_activity",
        "-submitted",
        "submitted",
        "estimated_completion",
        "-estimated_completion",
    ],
)
def test_pages_follow_each_sort_and_visit_every_order_once(api, make_order, olivia, sort):
    # Given 7 orders placed in the same second, some with the same estimated completion, some without
    at = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(at, tick=False):
        orders = [make_order("shop") for _ in range(7)]
    for order, day in zip(orders, [None, 12, 12, None, 11, 13, 12], strict=True):
        if day is not None:
            api.post(f"/orders/{order.number}/estimated-completion", {"date": f"2026-05-{day}"})

    # When the list is walked two at a time, then read whole
    walked = walk(api, sort=sort, limit=2)
    whole = [o["number"] for o in api.get("/orders", sort=sort, limit=100).json()["items"]]

    # Then the walk saw every order once, in the list's own order
    assert walked == whole
    assert sorted(walked) == [o.number for o in orders]


def test_orders_placed_during_a_walk_never_appear_twice(api, make_order):
    # Given 5 orders, a walk sorted by submission (newest first) that has read its first page
    for _ in range(5):
        make_order("shop")
    first = api.get("/orders", sort="-submitted", limit=2).json()
    seen = [o["number"] for o in first["items"]]

    # When orders are placed before each following page is read
    cursor = first["next"]
    while cursor:
        make_order("shop")
        page = api.get("/orders", sort="-submitted", limit=2, cursor=cursor).json()
        seen += [o["number"] for o in page["items"]]
        cursor = page["next"]

    # Then each of the original orders was seen exactly once, and no order twice
    assert sorted(seen) == [1, 2, 3, 4, 5]


def test_a_bad_cursor_or_limit_is_refused(api, make_order):
    make_order("shop")
    make_order("shop")
    cursor = api.get("/orders", limit=1).json()["next"]
    assert_error(api.get("/orders", cursor="not-a-cursor"), 400, "invalid_cursor")
    assert_error(api.get("/orders", cursor=cursor, sort="submitted"), 400, "invalid_cursor")
    body = assert_error(api.get("/orders", limit=101), 422, "validation_error")
    assert list(body["details"]["fields"]) == ["limit"]


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(api, make_order, olivia, sam):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/orders").status_code == 200
        return len(captured)

    # Given a few orders of two types, one assigned; then many more, assigned to someone else
    assign_order(make_order("shop"), assignee=sam, actor=Actor.staff(olivia))
    make_order("shop")
    make_order("distributor")
    api.get("/orders")  # last_used_at written once, the workflow versions read once per process
    few = queries()
    for _ in range(10):
        assign_order(make_order("distributor"), assignee=olivia, actor=Actor.staff(olivia))

    # Then the page costs the same queries: token, orders, and one per kind of related row (lines,
    # shipments, customers, contacts, assignees with their users, order types; workflow versions once
    # per process)
    assert queries() == few <= 8


# ----------------------------------------------------------------------------------------------
# Placing


def test_placing_an_order_answers_201_with_the_order_and_its_etag(api, order_types, corner_bar, alice):
    response = api.post(
        "/orders",
        {
            "customer": corner_bar.pk,
            "contact": alice.pk,
            "order_type": "shop",
            "lines": [
                {"description": "Crate of cola", "quantity": "2", "unit_price": "11.00", "sku": "COLA-24"},
                {"description": "Ice", "quantity": 1.5, "backup_description": "Crushed ice"},
            ],
            "customer_notes": "Back door",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get(number=body["number"])
    assert response["ETag"] == f'"{order.version}"'
    assert response["Location"].endswith(f"/api/v1/orders/{order.number}")
    assert body["title"] == "Crate of cola"
    assert body["placed_by"] == {"id": alice.pk, "name": "Alice Martin"}
    assert body["total"] == "22.00"
    assert [line["quantity"] for line in body["lines"]] == ["2", "1.5"]
    assert body["state"] == "newly_placed"
    assert {t["to"] for t in body["available_transitions"]} == {"in_preparation", "ready_for_pickup"}
    assert OrderEvent.objects.get(order=order).actor_name == "Olivia via API (ERP sync)"


def test_placing_refuses_what_the_action_refuses(api, order_types, corner_bar):
    # No title and no line: the schema says an order needs one or the other
    response = api.post("/orders", {"customer": corner_bar.pk, "order_type": "shop"})
    assert_error(response, 422, "validation_error")
    response = api.post("/orders", {"customer": corner_bar.pk, "order_type": "nope", "title": "x"})
    assert assert_error(response, 422, "invalid")["details"]["fields"] == {
        "order_type": ["No order type 'nope'."]
    }


def test_bad_input_is_422_with_each_field_named(api, order_types, corner_bar):
    response = api.post(
        "/orders",
        {"customer": "corner", "order_type": "shop", "lines": [{"quantity": "x", "description": "a\x00b"}]},
    )
    body = assert_error(response, 422, "validation_error")
    assert set(body["details"]["fields"]) == {"customer", "lines.0.quantity", "lines.0.description"}


def test_a_body_that_is_not_json_is_400(api, order_types):
    assert_error(api.post("/orders", b"{not json"), 400, "invalid_json")


# ----------------------------------------------------------------------------------------------
# Reading one and changing it


def test_an_order_has_its_version_as_etag_and_the_tokens_next_moves(api, make_order):
    order = make_order("shop", path=("in_preparation",))
    response = api.get(f"/orders/{order.number}")
    assert response["ETag"] == '"2"'
    assert response.json()["version"] == 2
    assert response.json()["available_transitions"] == [
        {"to": "ready_for_pickup", "label": "Ready for pickup", "note": "optional"}
    ]


def test_a_change_with_the_current_etag_applies_and_answers_the_new_one(api, make_order):
    order = make_order("shop")
    etag = api.get(f"/orders/{order.number}")["ETag"]
    response = api.post(
        f"/orders/{order.number}/transitions",
        {"to": "in_preparation", "note": "Packing"},
        headers={"If-Match": etag},
    )
    assert response.status_code == 200
    assert response.json()["state"] == "in_preparation"
    assert response["ETag"] == '"2"'


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/transitions", {"to": "in_preparation"}),
        ("/assign", {"assignee": None}),
        ("/estimated-completion", {"date": None}),
        ("/cancel", {"reason": "Out of stock"}),
        ("/refunds", {"amount": "1.00", "reason": "Late"}),
        ("/archive", None),
        ("/internal-notes", {"notes": "Call first"}),
        ("/lines/1", {"status": "out_of_stock"}),
    ],
)
def test_a_change_to_an_order_changed_meanwhile_is_409_stale_and_writes_nothing(
    api, make_order, olivia, path, body
):
    # Given a client that read the order, then staff moved it on the page
    order = make_order("shop")
    etag = api.get(f"/orders/{order.number}")["ETag"]
    transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    events = OrderEvent.objects.filter(order=order).count()

    # When the client changes it with its old ETag
    response = api.post(f"/orders/{order.number}{path}", body, headers={"If-Match": etag})

    # Then it is told the order changed, and nothing was written
    body = assert_error(response, 409, "stale")
    assert body["details"] == {"current_version": 2}
    assert OrderEvent.objects.filter(order=order).count() == events
    assert Order.objects.get(pk=order.pk).version == 2


@pytest.mark.parametrize("if_match", ["yesterday", '"²"', '"7', '""7""', '"1234567890"', "W/ 7"])
def test_an_if_match_that_is_not_an_etag_is_400(api, make_order, if_match):
    order = make_order("shop")
    response = api.post(f"/orders/{order.number}/archive", headers={"If-Match": if_match})
    assert_error(response, 400, "invalid_if_match")
    assert not Order.objects.get(pk=order.pk).archived


@pytest.mark.parametrize("if_match", ['"1"', 'W/"1"', "1", "*"])
def test_an_if_match_in_any_form_the_schema_declares_is_honoured(api, make_order, if_match):
    order = make_order("shop", path=("ready_for_pickup", "picked_up"))
    Order.objects.filter(pk=order.pk).update(version=1)
    response = api.post(f"/orders/{order.number}/archive", headers={"If-Match": if_match})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("amount", "status"),
    [
        ("0.10", 201),
        (0.1, 201),
        (12, 201),
        ("1.005", 422),
        (0.001, 422),
        ("1e1", 422),
        (" 1", 422),
        ("0.00", 422),
    ],
)
def test_amounts_are_refused_or_taken_as_the_schema_says(api, make_order, amount, status):
    order = make_order("shop")
    response = api.post(f"/orders/{order.number}/refunds", {"amount": amount, "reason": "Broken"})
    assert response.status_code == status, response.content
    if status == 422:
        assert list(assert_error(response, 422, "validation_error")["details"]["fields"]) == ["amount"]
        assert not order.refunds.exists()


def test_a_move_the_workflow_does_not_allow_is_409(api, make_order):
    order = make_order("shop")
    response = api.post(f"/orders/{order.number}/transitions", {"to": "picked_up"})
    assert_error(response, 409, "invalid_transition")
    assert_error(api.post(f"/orders/{order.number}/transitions", {"to": "nowhere"}), 400, "unknown_state")


def test_assign_estimate_notes_and_lines(api, make_order, sam):
    order = make_order("shop")
    n = order.number
    assert api.post(f"/orders/{n}/assign", {"assignee": sam.pk}).json()["assignee"] == {
        "id": sam.pk,
        "name": "Sam",
    }
    assert_error(api.post(f"/orders/{n}/assign", {"assignee": 999_999}), 422, "invalid")
    assert (
        api.post(f"/orders/{n}/estimated-completion", {"date": "2099-01-31"}).json()["estimated_completion"]
        == "2099-01-31"
    )
    assert_error(api.post(f"/orders/{n}/estimated-completion", {"date": "2000-01-01"}), 400, "invalid")
    assert api.post(f"/orders/{n}/internal-notes", {"notes": "Fragile"}).json()["internal_notes"] == "Fragile"
    line = api.post(f"/orders/{n}/lines/1", {"status": "substituted"}).json()["lines"][0]
    assert (line["status"], line["substitute_description"]) == ("substituted", "Orangeade")
    assert_error(api.post(f"/orders/{n}/lines/9", {"status": "available"}), 404, "not_found")


def test_cancel_with_a_refund_then_refund_more(api, make_order):
    order = make_order("custom-production", lines=[LineInput("Door", 1, "100.00")])
    response = api.post(
        f"/orders/{order.number}/cancel", {"reason": "Changed mind", "refund_amount": "30.00"}
    )
    assert_error(response, 400, "refund_not_offered")  # custom doors refund separately
    response = api.post(f"/orders/{order.number}/cancel", {"reason": "Changed mind"})
    assert response.json()["category"] == "cancelled"
    response = api.post(f"/orders/{order.number}/refunds", {"amount": "30.00", "reason": "Deposit back"})
    assert response.status_code == 201
    assert response.json()["refunded"] == "30.00"
    response = api.post(f"/orders/{order.number}/refunds", {"amount": "80.00", "reason": "Too much"})
    assert assert_error(response, 400, "refund_too_large")["details"]["available"] == "70.00"
    assert_error(api.post(f"/orders/{order.number}/cancel", {}), 409, "final_state")


def test_an_unknown_order_is_404(api, order_types):
    assert_error(api.get("/orders/4242"), 404, "not_found")
    assert_error(api.post("/orders/4242/archive"), 404, "not_found")


def test_quantities_are_plain_decimals(api, order_types, corner_bar):
    lines = [{"description": "Nails", "quantity": "100"}, {"description": "Rope", "quantity": "2.250"}]
    body = api.post("/orders", {"customer": corner_bar.pk, "order_type": "shop", "lines": lines}).json()
    assert [line["quantity"] for line in body["lines"]] == ["100", "2.25"]


def test_a_listed_order_is_the_order_as_read_alone(api, make_order, olivia, sam, corner_bar):
    # Given orders with and without an assignee, a contact, prices, refunds and notes
    assigned = make_order(
        "shop",
        lines=[LineInput("Nails", 100, "0.05"), LineInput("Rope", "2.250", None), LineInput("Keg", 1, "80")],
    )
    assign_order(assigned, assignee=sam, actor=Actor.staff(olivia))
    for path, body in [
        ("internal-notes", {"notes": "Fragile"}),
        ("estimated-completion", {"date": (dt.date.today() + dt.timedelta(days=3)).isoformat()}),
    ]:
        assert api.post(f"/orders/{assigned.number}/{path}", body).status_code == 200
    refunded = make_order("custom-production", lines=[LineInput("Door", 1, "100.00")])
    assert api.post(f"/orders/{refunded.number}/cancel", {"reason": "Changed mind"}).status_code == 200
    refund = {"amount": "30.00", "reason": "Deposit back"}
    assert api.post(f"/orders/{refunded.number}/refunds", refund).status_code == 201
    lines = [{"description": "Ice", "quantity": "2"}]
    by_staff = api.post("/orders", {"customer": corner_bar.pk, "order_type": "distributor", "lines": lines})
    assert by_staff.status_code == 201, by_staff.json()
    placed = {assigned.number, refunded.number, by_staff.json()["number"]}

    # When the list is read, and each order alone
    listed = api.get("/orders").json()["items"]

    # Then each listed order is, field for field, what GET /orders/{number} answers for it
    assert {order["number"] for order in listed} == placed
    for order in listed:
        alone = api.get(f"/orders/{order['number']}").json()
        del alone["available_transitions"]
        assert order == alone
