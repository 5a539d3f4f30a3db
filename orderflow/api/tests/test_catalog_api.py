"""/api/v1/catalog/items: list with filters and pages, create, read, patch; the rules as error codes;
read-only tokens, staff tokens and another seller's items."""

from __future__ import annotations

import pytest

from orderflow.accounts.actions import add_staff
from orderflow.api.tests.conftest import ApiClient, assert_error
from orderflow.catalog.actions import create_item
from orderflow.catalog.models import Item, ItemEvent
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_api_token
from orderflow.workflows.actions import install_order_type


@pytest.fixture
def keg(acme, olivia) -> Item:
    return create_item(acme, actor=Actor.staff(olivia), sku="KEG-50", name="Lager keg", unit_price="189")


@pytest.fixture
def tap(acme, olivia) -> Item:
    return create_item(acme, actor=Actor.staff(olivia), sku="TAP", name="Tap installation", kind="quote")


def test_list_filters_and_pages(api, keg, tap):
    body = api.get("/catalog/items").json()
    assert [item["sku"] for item in body["items"]] == ["KEG-50", "TAP"]
    assert body["items"][0]["unit_price"] == "189.00"
    assert body["items"][0]["currency"] == "USD"
    assert body["items"][1]["unit_price"] is None
    assert [i["sku"] for i in api.get("/catalog/items", q="lager").json()["items"]] == ["KEG-50"]
    assert [i["sku"] for i in api.get("/catalog/items", kind="quote").json()["items"]] == ["TAP"]
    assert api.get("/catalog/items", availability="out_of_stock").json()["items"] == []
    first = api.get("/catalog/items", limit=1).json()
    second = api.get("/catalog/items", limit=1, cursor=first["next"]).json()
    assert [i["sku"] for i in first["items"] + second["items"]] == ["KEG-50", "TAP"]
    assert second["next"] is None


def test_create_an_item(api, acme, keg):
    shop = install_order_type(acme, preset="shop", actor=Actor.system())
    response = api.post(
        "/catalog/items",
        {
            "sku": "CASE",
            "name": "Lager case",
            "unit_price": "32.5",
            "tax_rate": 8.875,
            "backup_item": keg.pk,
            "order_type": shop.key,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["unit_price"], body["tax_rate"], body["backup_item"], body["order_type"]) == (
        "32.50",
        "8.875",
        keg.pk,
        "shop",
    )
    item = Item.objects.get(pk=body["id"])
    assert ItemEvent.objects.get(item=item).actor_name == "Olivia via API (ERP sync)"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"sku": "KEG-50", "name": "Again", "unit_price": "1"}, 400, "duplicate_sku"),
        ({"sku": "Q", "name": "Q", "kind": "quote", "unit_price": "1"}, 422, "validation_error"),
        ({"sku": "P", "name": "P"}, 422, "validation_error"),
        ({"sku": "P", "name": "P", "unit_price": "1.005"}, 422, "validation_error"),
        ({"sku": "P", "name": "P", "unit_price": "-1"}, 422, "validation_error"),
        ({"sku": "P", "name": "P", "unit_price": "1", "tax_rate": "100.001"}, 422, "validation_error"),
        ({"sku": "P", "name": "P", "unit_price": "1", "order_type": "nope"}, 422, "invalid"),
        ({"sku": "P", "name": "P", "unit_price": "1", "backup_item": 999999}, 400, "unknown_backup_item"),
        ({"sku": " ", "name": "P", "unit_price": "1"}, 422, "validation_error"),
    ],
)
def test_bad_items_are_refused(api, acme, keg, body, status, code):
    assert_error(api.post("/catalog/items", body), status, code)
    assert list(Item.objects.filter(seller=acme)) == [keg]


def test_patch_changes_only_what_is_sent_and_logs_it(api, keg, tap):
    response = api.request(
        "PATCH", f"/catalog/items/{keg.pk}", {"availability": "out_of_stock", "backup_item": tap.pk}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["availability"], body["backup_item"], body["name"], body["orderable"]) == (
        "out_of_stock",
        tap.pk,
        "Lager keg",
        False,
    )
    event = ItemEvent.objects.filter(item=keg).last()
    assert event is not None
    assert event.data["after"] == {"availability": "out_of_stock", "backup_item": "TAP"}


def test_patch_refusals(api, keg, tap):
    assert_error(
        api.request("PATCH", f"/catalog/items/{keg.pk}", {"kind": "quote"}), 400, "price_not_allowed"
    )
    assert_error(api.request("PATCH", f"/catalog/items/{tap.pk}", {"kind": "product"}), 400, "price_required")
    assert_error(
        api.request("PATCH", f"/catalog/items/{keg.pk}", {"backup_item": keg.pk}), 400, "backup_is_itself"
    )
    assert_error(api.request("PATCH", f"/catalog/items/{keg.pk}", {"sku": "TAP"}), 400, "duplicate_sku")
    assert_error(api.request("PATCH", f"/catalog/items/{keg.pk}", {"name": None}), 422, "validation_error")
    response = api.request("PATCH", f"/catalog/items/{keg.pk}", {"kind": "quote", "unit_price": None})
    assert response.json()["unit_price"] is None


def test_another_sellers_item_is_not_found(api, rival_api, keg):
    assert_error(rival_api.get(f"/catalog/items/{keg.pk}"), 404, "not_found")
    assert_error(rival_api.request("PATCH", f"/catalog/items/{keg.pk}", {"name": "Mine"}), 404, "not_found")
    assert rival_api.get("/catalog/items").json()["items"] == []
    # Nor can it be named as a backup
    response = rival_api.post(
        "/catalog/items", {"sku": "R", "name": "R", "unit_price": "1", "backup_item": keg.pk}
    )
    assert_error(response, 400, "unknown_backup_item")
    keg.refresh_from_db()
    assert keg.name == "Lager keg"


def test_a_read_only_token_reads_but_does_not_write(read_api, keg):
    assert read_api.get(f"/catalog/items/{keg.pk}").status_code == 200
    assert_error(read_api.request("PATCH", f"/catalog/items/{keg.pk}", {"name": "X"}), 403, "read_only_token")
    assert_error(read_api.post("/catalog/items", {"sku": "X", "name": "X", "unit_price": "1"}), 403)


def test_a_demoted_members_token_may_not_change_the_catalogue(acme, keg):
    # Given a manager's token, and the manager since demoted to staff
    member = add_staff(acme, username="mo", password=PASSWORD, first_name="Mo", role="manager")
    _, raw = create_api_token(acme, name="Mo's", scope="read_write", actor=Actor.staff(member))
    member.role = "staff"
    member.save()
    api = ApiClient(raw)
    assert api.get("/catalog/items").status_code == 200
    assert_error(api.request("PATCH", f"/catalog/items/{keg.pk}", {"name": "X"}), 403, "forbidden")


def test_an_idempotent_create_runs_once(api, acme):
    body = {"sku": "ONCE", "name": "Once", "unit_price": "1"}
    first = api.post("/catalog/items", body, headers={"Idempotency-Key": "catalog-1"})
    again = api.post("/catalog/items", body, headers={"Idempotency-Key": "catalog-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Item.objects.filter(seller=acme, sku="ONCE").count() == 1
