"""Staff take an order by phone, and change its lines while its status allows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderflow.accounts.actions import add_contact, add_customer, add_staff
from orderflow.conftest import PASSWORD
from orderflow.notifications.models import Notification
from orderflow.orders.models import EventType, LineStatus, Order
from orderflow.orders.tests.catalogue import make_item, small_catalogue
from orderflow.web.tests.conftest import order_url, seller_url


@pytest.fixture
def items(acme):
    return small_catalogue(acme)


def line_fields(index, *, item=None, description="", quantity="1", unit_price="", backup=None):
    return {
        f"item_{index}": item.pk if item else "",
        f"description_{index}": description,
        f"quantity_{index}": quantity,
        f"unit_price_{index}": unit_price,
        f"backup_{index}": backup.pk if backup else "",
    }


def test_the_dashboard_offers_a_new_order(as_olivia):
    page = as_olivia.get(seller_url("dashboard"))
    assert seller_url("order_new") in page.content.decode()


def test_staff_find_the_customer_by_a_contacts_name(as_olivia, corner_bar, bruno):
    page = as_olivia.get(seller_url("order_new"), {"q": "bruno"})
    assert page.status_code == 200
    assert f"?customer={corner_bar.pk}" in page.content.decode()
    assert "Corner Bar" not in as_olivia.get(seller_url("order_new"), {"q": "nobody"}).content.decode()


def test_a_phone_order_is_placed_on_behalf_of_the_contact(
    as_olivia, olivia, corner_bar, bruno, order_types, items, django_capture_on_commit_callbacks
):
    url = seller_url("order_new") + f"?customer={corner_bar.pk}"
    assert as_olivia.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = as_olivia.post(
            url,
            {
                "contact": bruno.pk,
                "order_type": order_types["distributor"].pk,
                "customer_notes": "Called at 9",
                **line_fields(0, item=items["lager"], quantity="2", backup=items["ale"]),
                **line_fields(1, description="Ice bags", quantity="3", unit_price="2.50"),
            },
        )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == order_url(order)
    assert order.placed_by == bruno
    assert [line.description for line in order.lines.all()] == ["Lager keg", "Ice bags"]
    placed = order.events.get(type=EventType.PLACED)
    assert (placed.actor_kind, placed.actor_user, placed.data["on_behalf_of"]["id"]) == (
        "staff",
        olivia.user,
        bruno.pk,
    )
    page = as_olivia.get(order_url(order))
    assert page.context["totals"].total == Decimal("237.50")
    assert 'data-testid="backup-1">Pale ale keg<' in page.content.decode()


def test_a_bad_phone_order_shows_the_reason_and_places_nothing(as_olivia, corner_bar, order_types, items):
    url = seller_url("order_new") + f"?customer={corner_bar.pk}"
    response = as_olivia.post(
        url, {"order_type": order_types["distributor"].pk, **line_fields(0, item=items["ale"], quantity="0")}
    )
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_another_sellers_customer_contact_and_items_are_not_reachable(
    as_olivia, acme, rival_customer, corner_bar, order_types, rival
):
    assert as_olivia.get(seller_url("order_new") + f"?customer={rival_customer.pk}").status_code == 404
    rivals = make_item(rival, "R1", "Rival keg")
    other = add_contact(add_customer(acme, name="Other"), name="Oscar", email="o@other.example")
    response = as_olivia.post(
        seller_url("order_new") + f"?customer={corner_bar.pk}",
        {"order_type": order_types["distributor"].pk, "contact": other.pk, **line_fields(0, item=rivals)},
    )
    assert response.status_code == 400  # neither is a choice on this form
    assert not Order.objects.exists()


def test_another_sellers_staff_get_a_404(client, rival, corner_bar):
    rita = add_staff(rival, username="rita2", password=PASSWORD, role="owner")
    client.force_login(rita.user)
    assert client.get(seller_url("order_new") + f"?customer={corner_bar.pk}").status_code == 404


# ---------------------------------------------------------------------------------------------
# Editing lines on the order page


@pytest.fixture
def order(make_order):
    return make_order("distributor")


def test_staff_change_quantity_and_price_and_the_customer_is_told(
    as_olivia, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_olivia.post(
            order_url(order, "order_line", position=1),
            {"quantity": "5", "unit_price": "11.00", "status": "available", "version": order.version},
        )
    assert response.status_code == 302
    line = order.lines.get()
    assert (line.quantity, line.unit_price) == (Decimal("5"), Decimal("11.00"))
    event = order.events.get(type=EventType.LINE_UPDATED)
    assert event.data["before"] == {"quantity": "3", "unit_price": "12.50"}
    assert Notification.objects.filter(order=order, template="order_lines_changed").exists()


def test_lines_can_be_added_and_removed(as_olivia, order, items):
    as_olivia.post(
        order_url(order, "order_line_add"),
        {"item": items["ale"].pk, "quantity": "2", "version": order.version},
    )
    order.refresh_from_db()
    assert order.lines.count() == 2
    as_olivia.post(order_url(order, "order_line_remove", position=1), {"version": order.version})
    assert [line.description for line in order.lines.all()] == ["Pale ale keg"]


def test_a_locked_state_hides_the_line_forms_and_refuses_changes(as_olivia, make_order):
    order = make_order("distributor", path=("confirmed",))
    page = as_olivia.get(order_url(order))
    assert not page.context["lines_editable"]
    assert order_url(order, "order_line_add") not in page.content.decode()
    order.refresh_from_db()  # opening it may have marked it seen
    response = as_olivia.post(
        order_url(order, "order_line", position=1),
        {"quantity": "9", "status": "available", "version": order.version},
    )
    assert response.status_code == 409
    assert order.lines.get().quantity == Decimal("3")
    assert order.lines.get().status == LineStatus.AVAILABLE


def test_the_new_order_page_is_in_french_for_a_french_member(client, acme, corner_bar):
    fabienne = add_staff(acme, username="fabienne", password=PASSWORD, role="staff")
    fabienne.language = "fr"
    fabienne.save()
    client.force_login(fabienne.user)
    page = client.get(seller_url("order_new") + f"?customer={corner_bar.pk}")
    assert page["Content-Language"] == "fr"
    assert "Nouvelle commande pour Corner Bar" in page.content.decode()
