"""POST /orders with catalogue lines, and PATCH /orders/{number}/lines/{position}."""

from __future__ import annotations

import pytest

from orderflow.notifications.models import Notification
from orderflow.orders.models import Order
from orderflow.orders.tests.catalogue import make_item, small_catalogue


@pytest.fixture
def items(acme):
    return small_catalogue(acme)


def new_order(corner_bar, *lines, **extra):
    return {"customer": corner_bar.pk, "order_type": "distributor", "lines": list(lines), **extra}


@pytest.fixture
def placed(api, corner_bar, order_types, items):
    body = new_order(
        corner_bar,
        {"item_id": items["lager"].pk, "quantity": "2", "backup_item_id": items["ale"].pk},
        {"description": "Ice bags", "quantity": 3, "unit_price": "2.50"},
    )
    response = api.post("/orders", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_lines_by_item_take_the_catalogue_price_and_the_totals_have_tax(placed, items):
    lager, ice = placed["lines"]
    assert (lager["description"], lager["unit_price"], lager["tax_rate"], lager["tax"]) == (
        "Lager keg",
        "100.00",
        "15",
        "30.00",
    )
    assert (lager["item_id"], lager["backup_item_id"], lager["backup_description"]) == (
        items["lager"].pk,
        items["ale"].pk,
        "Pale ale keg",
    )
    assert ice["item_id"] is None
    assert (placed["subtotal"], placed["tax"], placed["total"]) == ("207.50", "30.00", "237.50")


def test_the_list_gives_the_same_totals(api, placed):
    [listed] = api.get("/orders").json()["items"]
    assert (listed["subtotal"], listed["tax"], listed["total"]) == ("207.50", "30.00", "237.50")
    assert listed["lines"] == placed["lines"]


@pytest.mark.parametrize(
    ("line", "status", "code"),
    [
        ({"item_id": "stout"}, 400, "item_discontinued"),
        ({"item_id": "cider"}, 400, "item_out_of_stock"),
        ({"item_id": "rival"}, 400, "unknown_item"),
        ({"item_id": "lager", "backup_item_id": "rival"}, 400, "unknown_backup_item"),
        ({"item_id": "lager", "quantity": "1000001"}, 422, "validation_error"),
        ({"item_id": "lager", "quantity": 0}, 422, "validation_error"),
        ({"item_id": "lager", "quantity": "abc"}, 422, "validation_error"),
        ({"description": "Ice", "unit_price": "1.234"}, 422, "validation_error"),
        ({"quantity": 2}, 422, "validation_error"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_saved(
    api, corner_bar, order_types, items, rival, line, status, code
):
    rivals = make_item(rival, "R1", "Rival keg")
    ids = {**{name: item.pk for name, item in items.items()}, "rival": rivals.pk}
    line = {key: ids[value] if key.endswith("item_id") else value for key, value in line.items()}
    response = api.post("/orders", new_order(corner_bar, line))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Order.objects.exists()


def test_a_refusal_names_the_line_and_field(api, corner_bar, order_types, items):
    body = new_order(corner_bar, {"item_id": items["ale"].pk}, {"item_id": items["cider"].pk})
    details = api.post("/orders", body).json()["details"]
    assert details == {"field": "lines.1.item_id", "line": 2}


def test_patch_changes_quantity_price_and_status_and_tells_the_customer(
    api, placed, items, django_capture_on_commit_callbacks
):
    number = placed["number"]
    with django_capture_on_commit_callbacks(execute=True):
        body = api.request(
            "PATCH", f"/orders/{number}/lines/1", {"quantity": "4", "unit_price": "90.00"}
        ).json()
    assert (body["lines"][0]["quantity"], body["lines"][0]["unit_price"]) == ("4", "90.00")
    body = api.request("PATCH", f"/orders/{number}/lines/1", {"status": "substituted"}).json()
    assert (body["lines"][0]["substitute_item_id"], body["lines"][0]["substitute_description"]) == (
        items["ale"].pk,
        "Pale ale keg",
    )
    assert Notification.objects.filter(order__number=number, template="order_lines_changed").count() >= 2


def test_patch_leaves_out_what_is_not_sent_and_null_price_clears_it(api, placed):
    number = placed["number"]
    body = api.request("PATCH", f"/orders/{number}/lines/2", {"unit_price": None}).json()
    assert (body["lines"][1]["quantity"], body["lines"][1]["unit_price"]) == ("3", None)


def test_patch_refusals(api, rival_api, placed, order_types):
    number = placed["number"]
    assert api.request("PATCH", f"/orders/{number}/lines/9", {"quantity": "2"}).status_code == 404
    assert rival_api.request("PATCH", f"/orders/{number}/lines/1", {"quantity": "2"}).status_code == 404
    assert api.request("PATCH", f"/orders/{number}/lines/1", {"quantity": "0"}).status_code == 422
    api.post(f"/orders/{number}/transitions", {"to": "confirmed"})
    locked = api.request("PATCH", f"/orders/{number}/lines/1", {"quantity": "2"})
    assert (locked.status_code, locked.json()["code"]) == (409, "lines_locked")


def test_patch_with_another_sellers_substitute_is_refused(api, placed, rival):
    rivals = make_item(rival, "R1", "Rival keg")
    response = api.request(
        "PATCH",
        f"/orders/{placed['number']}/lines/1",
        {"status": "substituted", "substitute_item_id": rivals.pk},
    )
    assert (response.status_code, response.json()["code"]) == (400, "unknown_item")


@pytest.mark.parametrize("body", [[None, None], 3, "x", None])
def test_patch_takes_only_an_object(api, placed, body):
    response = api.request("PATCH", f"/orders/{placed['number']}/lines/1", body)
    assert response.status_code == 422
