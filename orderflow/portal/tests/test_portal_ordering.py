"""A signed-in customer orders from the catalogue: browse, search, quantities, a backup, review, place."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orderflow.accounts.actions import create_portal_login
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.notifications.models import Notification
from orderflow.orders.models import EventType, Order
from orderflow.orders.tests.catalogue import make_item, small_catalogue
from orderflow.workflows.actions import set_order_type_options

NEW = reverse("portal_order_new")
PLACE = reverse("portal_order_place")


@pytest.fixture
def items(acme, order_types):
    # Every item under the distributor's order type, so the basket goes to one order.
    catalogue = small_catalogue(acme)
    for item in catalogue.values():
        item.order_type = order_types["distributor"]
        item.save()
    return catalogue


def basket(items, **extra):
    return {
        f"qty_{items['lager'].pk}": "2",
        f"backup_{items['lager'].pk}": str(items["ale"].pk),
        f"qty_{items['ale'].pk}": "1",
        "notes": "Back door, please",
        **extra,
    }


def test_the_catalogue_lists_what_can_be_ordered_and_shows_out_of_stock(as_alice, items):
    page = as_alice.get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="qty_{items["lager"].pk}"' in html
    assert f'name="backup_{items["lager"].pk}"' in html  # the lager suggests a backup
    assert f'name="backup_{items["ale"].pk}"' not in html  # the ale does not
    assert 'data-testid="item-CIDER"' in html
    assert f'name="qty_{items["cider"].pk}"' not in html  # out of stock, no backorders
    assert "STOUT" not in html  # discontinued


def test_searching_keeps_the_quantities_already_chosen(as_alice, items):
    page = as_alice.post(NEW, {f"qty_{items['lager'].pk}": "4", "q": "ale", "step": "search"})
    html = page.content.decode()
    assert f'name="qty_{items["lager"].pk}" id="id_qty_{items["lager"].pk}" value="4"' in html
    assert 'data-testid="item-ALE"' in html
    assert 'data-testid="item-VISIT"' not in html


def test_review_shows_the_total_with_taxes_and_writes_nothing(as_alice, items):
    page = as_alice.post(NEW, basket(items, step="review"))
    assert page.status_code == 200
    assert page.context["totals"].total == Decimal("368.00")  # (200 + 120) + 15 %
    assert not Order.objects.exists()


def test_placing_lands_on_the_order_and_staff_are_told(
    as_alice, alice, items, olivia, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.post(PLACE, basket(items))
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_order", kwargs={"number": order.number})
    lager = order.lines.get(item=items["lager"])
    assert (lager.quantity, lager.backup_item) == (Decimal("2"), items["ale"])
    assert order.customer_notes == "Back door, please"
    assert order.placed_by == alice
    assert order.events.get().type == EventType.PLACED
    assert Notification.objects.filter(order=order, template="new_order", membership=olivia).exists()
    page = as_alice.get(response["Location"])
    assert page.context["totals"].total == Decimal("368.00")
    assert 'data-testid="backup-1"' in page.content.decode()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"quantity": "0"}, "invalid_quantity"),
        ({"quantity": "lots"}, "invalid_quantity"),
        ({"quantity": "1000001"}, "invalid_quantity"),
        ({"backup": "cider"}, "item_out_of_stock"),
        ({"item": "stout"}, "item_discontinued"),
    ],
)
def test_a_bad_basket_is_refused_with_the_reason_and_nothing_is_placed(as_alice, items, change, code):
    item = items[change.get("item", "lager")]
    data = {f"qty_{item.pk}": change.get("quantity", "1")}
    if "backup" in change:
        data[f"backup_{item.pk}"] = str(items[change["backup"]].pk)
    refused = as_alice.post(PLACE, data)
    assert refused.status_code == 400
    assert not Order.objects.exists()
    messages = [m.message for m in refused.context["messages"]]
    assert messages  # the reason is shown on the catalogue page again
    reviewed = as_alice.post(NEW, {**data, "step": "review"})
    assert reviewed.status_code == 400


def test_an_empty_basket_cannot_be_reviewed(as_alice, items):
    assert as_alice.post(NEW, {"step": "review"}).status_code == 400


def test_another_sellers_item_is_refused(as_alice, items, rival):
    rivals = make_item(rival, "R1", "Rival keg")
    response = as_alice.post(PLACE, {f"qty_{rivals.pk}": "1"})
    assert response.status_code == 400
    assert not Order.objects.exists()
    assert "Rival keg" not in as_alice.get(NEW).content.decode()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, items):
    response = client.get(NEW)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_shop_customer_chooses_pickup_or_delivery(as_alice, acme, order_types):
    shop = order_types["shop"]
    set_order_type_options(shop, options={"fulfilment": "customer_chooses"}, actor=Actor.system())
    bread = make_item(acme, "BREAD", "Bread", "4.00", order_type=shop)
    page = as_alice.get(NEW)
    assert 'name="fulfilment" value="delivery"' in page.content.decode()
    refused = as_alice.post(PLACE, {f"qty_{bread.pk}": "2"})
    assert refused.status_code == 400
    as_alice.post(PLACE, {f"qty_{bread.pk}": "2", "fulfilment": "delivery"})
    order = Order.objects.get()
    assert order.fulfilment == "delivery"
    assert (
        'data-testid="fulfilment"'
        in as_alice.get(reverse("portal_order", kwargs={"number": order.number})).content.decode()
    )


def test_the_ordering_pages_are_in_french_for_a_french_contact(client, bruno, items):
    bruno.email = "bruno@cornerbar.example"
    bruno.save()
    create_portal_login(bruno, password=PASSWORD, actor=Actor.system())
    client.force_login(bruno.user)
    page = client.get(NEW)
    assert page["Content-Language"] == "fr"
    assert "Vérifier ma commande" in page.content.decode()
    review = client.post(NEW, basket(items, step="review"))
    assert "Passer la commande" in review.content.decode()
    assert "Sous-total" in review.content.decode()
