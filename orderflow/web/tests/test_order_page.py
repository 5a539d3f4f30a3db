"""The order page as staff see it: seen-on-open, what it shows, and labels in the seller's language."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from orderflow.accounts.actions import add_customer, add_staff, create_seller
from orderflow.core.actors import Actor
from orderflow.orders.actions import LineInput, edit_internal_notes, place_order
from orderflow.orders.models import EventType
from orderflow.web.tests.conftest import order_url
from orderflow.workflows.actions import install_order_type


def test_opening_a_distributor_order_as_staff_moves_it_from_sent_to_seen_once(as_olivia, make_order):
    order = make_order("distributor")

    first = as_olivia.get(order_url(order))

    order.refresh_from_db()
    assert first.status_code == 200
    assert order.state == "seen"
    assert order.events.filter(type=EventType.SEEN).count() == 1
    assert order.events.filter(type=EventType.TRANSITIONED).count() == 1
    assert "Status changed from Sent to Seen" in first.content.decode()

    # When it is opened again, nothing more is recorded.
    version, events = order.version, order.events.count()
    as_olivia.get(order_url(order))
    order.refresh_from_db()
    assert (order.version, order.events.count()) == (version, events)


def test_opening_an_order_of_another_workflow_only_records_that_it_was_seen(as_olivia, make_order):
    order = make_order("shop")

    as_olivia.get(order_url(order))

    order.refresh_from_db()
    assert order.state == "newly_placed"
    assert order.seen_at is not None
    assert list(order.events.values_list("type", flat=True)) == [EventType.PLACED, EventType.SEEN]


def test_the_page_shows_the_order_its_lines_and_both_status_labels(as_olivia, make_order, alice):
    order = make_order(
        "distributor",
        path=("confirmed",),
        title="Weekend restock",
        customer_notes="Back door after 4pm please",
        lines=[
            LineInput("Crate of lemonade", 3, "12.50", backup_description="Orangeade"),
            LineInput("Ice, 10 kg", 2, "4.00"),
        ],
    )

    page = as_olivia.get(order_url(order)).content.decode()

    for text in [
        "Weekend restock",
        "Corner Bar",
        "Alice Martin",
        "Back door after 4pm please",
        "Crate of lemonade",
        "Orangeade",
        "37.50",
        "$45.50",  # the total
        "Wholesale order",
        "workflow version 1",
        'data-testid="order-status">Confirmed<',
        "Customer sees: <strong>Order received</strong>",
        "Mark delivered",  # the one transition staff may take next
    ]:
        assert text in page, text


def test_internal_notes_are_on_the_staff_page_marked_staff_only(as_olivia, make_order, olivia):
    order = make_order("services-marketplace")
    edit_internal_notes(order, notes="Partner pays late; ask for a deposit.", actor=Actor.staff(olivia))

    page = as_olivia.get(order_url(order)).content.decode()

    assert 'Internal notes <span class="tag">staff only</span>' in page
    assert "Never shown to the customer." in page
    assert "Partner pays late; ask for a deposit." in page
    assert "Internal notes edited" in page  # in the activity log, itself tagged staff only


def test_a_closed_order_offers_no_status_change_but_still_a_refund(as_olivia, make_order):
    order = make_order("shop", path=("ready_for_pickup", "picked_up"))

    page = as_olivia.get(order_url(order)).content.decode()

    assert "This order is closed: its status can no longer change." in page
    assert "Cancel this order" not in page
    assert "Up to $37.50 can be refunded, even though the order is closed." in page


def test_cancel_is_offered_only_where_the_workflow_lets_staff_cancel(as_olivia, make_order):
    early = make_order("custom-production", path=("measurements",))
    producing = make_order(
        "custom-production", path=("measurements", "design_agreed", "materials_selected", "in_production")
    )

    assert "Cancel this order" in as_olivia.get(order_url(early)).content.decode()
    assert "Cancel this order" not in as_olivia.get(order_url(producing)).content.decode()


def test_shop_cancel_asks_for_a_required_reason_and_offers_a_refund(as_olivia, make_order):
    page = as_olivia.get(order_url(make_order("shop"))).content.decode()

    assert "Reason, shown to the customer (required)" in page
    assert "Refund ($, optional)" in page


def test_a_transition_that_requires_a_note_says_so(as_olivia, make_order):
    order = make_order("services-marketplace", path=("approved", "in_progress"))

    page = as_olivia.get(order_url(order)).content.decode()

    assert "Note to the customer (required)" in page  # Wait for partner
    assert "Note to the customer (optional)" in page  # Schedule, Complete


def test_archiving_has_its_own_button_not_a_status_button(as_olivia, make_order):
    order = make_order("services-marketplace", path=("approved", "in_progress", "complete"))

    page = as_olivia.get(order_url(order)).content.decode()

    assert "Archive this order" in page
    assert '<button type="submit" class="button primary">Archive</button>' not in page


def test_a_french_seller_reads_the_shops_statuses_in_french(client, db):
    seller = create_seller(name="Boutique du Parc", slug="parc", locale="fr", currency="EUR")
    claire = add_staff(seller, username="claire", password=None, role="owner")
    order_type = install_order_type(seller, preset="shop", actor=Actor.system())
    resident = add_customer(seller, name="Appartement 12")
    order = place_order(
        resident, order_type=order_type, actor=Actor.system(), lines=[LineInput("Pain", 1, "2")]
    )
    client.force_login(claire.user)

    page = client.get(reverse("order_detail", kwargs={"seller_slug": "parc", "number": order.number}))

    content = page.content.decode()
    assert 'data-testid="order-status">Nouvellement passée<' in content
    assert "En préparation" in content  # the button
    assert "Prête à être ramassée" in content
    # The activity log is in French too, around the shop's own label
    with translation.override("fr"):
        placed = translation.gettext("Order placed (%(state)s)") % {"state": "Nouvellement passée"}
    assert placed in content
    assert '<html lang="fr">' in content
