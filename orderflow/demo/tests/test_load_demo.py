from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from orderflow.accounts.models import Contact, Customer, Membership, Seller
from orderflow.catalog.models import Item
from orderflow.core.actors import Actor
from orderflow.demo.data import PASSWORD, SELLERS
from orderflow.orders.actions import available_transitions, transition_order
from orderflow.orders.models import EventType, LineStatus, Order, OrderEvent, OrderLine, Refund
from orderflow.workflows.loader import preset_keys
from orderflow.workflows.models import OrderType, WorkflowVersion

COUNTED = (
    Seller,
    User,
    Membership,
    Customer,
    Contact,
    OrderType,
    WorkflowVersion,
    Order,
    OrderLine,
    OrderEvent,
    Refund,
    Item,
)
# Events that set the order's state; the last one must name the state the order is in.
MOVES = (EventType.PLACED, EventType.TRANSITIONED, EventType.CANCELLED, EventType.ARCHIVED)


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    """Load the demo once for the module, inside a transaction rolled back when the module is done;
    each test still runs in its own savepoint (the `db` fixture), so what one test changes is undone."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        output = load()
    yield output
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        block.__exit__(None, None, None)


@pytest.fixture
def demo(loaded_once, db) -> str:
    return loaded_once


def test_load_demo_creates_one_seller_per_preset_with_orders_in_varied_states(demo):
    sellers = Seller.objects.filter(slug__in=[spec.slug for spec in SELLERS])
    assert sorted(OrderType.objects.filter(seller__in=sellers).values_list("preset", flat=True)) == sorted(
        preset_keys()
    )
    for seller in sellers:
        states = set(seller.orders.values_list("state", flat=True))
        assert len(states) >= 4, f"{seller.slug} has orders in only {sorted(states)}"
        assert set(seller.memberships.values_list("role", flat=True)) == {"owner", "manager", "staff"}
    assert 40 <= Order.objects.filter(seller__in=sellers).count() <= 80
    # The logins are printed, with the one demo password.
    assert "harbour-owner" in demo
    assert PASSWORD in demo
    assert "http://127.0.0.1:8000/login/" in demo


def test_loading_twice_creates_nothing_new(demo):
    before = counts()

    output = load()

    assert counts() == before
    assert output.count("Skipped") == len(SELLERS)


def test_events_are_chronological_and_states_follow_the_last_move(demo):
    now = timezone.now()
    for order in Order.objects.prefetch_related("events"):
        events = list(order.events.all())  # ordered by created_at, then id: the order they were written
        assert [e.pk for e in events] == sorted(e.pk for e in events), f"#{order.number} of {order.seller_id}"
        assert events[0].type == EventType.PLACED
        assert events[0].created_at == order.submitted_at
        assert events[-1].created_at == max(e.created_at for e in events) <= now
        assert order.submitted_at >= now - dt.timedelta(days=31)
        last_move = [e for e in events if e.type in MOVES][-1]
        assert last_move.to_state == order.state
        assert order.state_category == order.workflow.state(order.state).category
        assert (order.closed_at is not None) == order.is_final
        if order.seen_at is not None:
            assert [e.created_at for e in events if e.type == EventType.SEEN] == [order.seen_at]


def test_the_demo_spreads_over_a_month_with_varied_contacts(demo):
    submitted = Order.objects.values_list("submitted_at", flat=True)
    assert max(submitted) - min(submitted) > dt.timedelta(days=25)
    contacts = Contact.objects.all()
    assert {c.locale for c in contacts} == {"en", "fr"}
    assert len({c.time_zone for c in contacts}) >= 5
    channels = {channel for c in contacts for channel in c.preferred_channels}
    assert {"email", "sms", "messenger", "in_app"} <= channels
    assert all(c.phone.startswith("+") for c in contacts if c.phone)
    assert Order.objects.exclude(assignee=None).values("assignee").distinct().count() >= 8


def test_the_demo_shows_what_each_source_article_describes(demo):
    # Distributor: a line substituted by its backup item.
    assert OrderLine.objects.filter(order__seller__slug="harbour", status=LineStatus.SUBSTITUTED).exists()
    # Services: waiting for partner carries its required note; one order archived and hidden.
    waiting = OrderEvent.objects.get(seller__slug="brightlane", to_state="waiting_for_partner")
    assert waiting.note
    assert Order.objects.filter(seller__slug="brightlane", archived=True, state="archived").exists()
    # Shop: a picked-up order refunded after it was closed; a cancellation with reason and refund.
    picked_up = Order.objects.get(seller__slug="erables", state="picked_up", refunds__isnull=False)
    assert picked_up.refunds.get().created_at > picked_up.closed_at
    cancelled = Order.objects.get(seller__slug="erables", state="cancelled")
    assert cancelled.cancel_reason
    assert cancelled.refunded_total() == cancelled.total()
    # Reseller: the terms were accepted by the customer's contact.
    accepted = OrderEvent.objects.filter(seller__slug="northgate", to_state="terms_accepted")
    assert {e.actor_kind for e in accepted} == {"customer"}
    # Reseller, now: terms to accept, and a drafted quote for a prospect with contacts in and out of
    # its domain (the "Done when" of issue 12).
    from orderflow.quotes.actions.confirmations import candidates
    from orderflow.quotes.models import Quote, Terms

    assert Terms.objects.filter(seller__slug="northgate").count() == 1
    drafted = Quote.objects.get(seller__slug="northgate", status="draft")
    assert drafted.order.state == "quote_drafted"
    assert drafted.lines.count() == drafted.order.lines.count()
    offered = {c.contact.name: c.eligible for c in candidates(drafted.order)}
    assert offered["Kyle Jensen"] is True
    assert offered["Marco Bianchi (IT consultant)"] is False
    # Custom production: an order at each stage.
    doors = set(Order.objects.filter(seller__slug="pauls-doors").values_list("state", flat=True))
    assert doors >= {
        "received",
        "measurements",
        "design_agreed",
        "materials_selected",
        "in_production",
        "packed",
        "shipped",
        "delivered",
    }


def test_an_order_of_each_seller_can_still_be_moved_through_its_workflow(demo):
    for spec in SELLERS:
        owner = Membership.objects.get(seller__slug=spec.slug, role="owner")
        actor = Actor.staff(owner)
        # Given a non-final order with a move staff may make (other than archiving)
        candidates = Order.objects.filter(seller=owner.seller, archived=False).order_by("number")
        order, transition = next(
            (order, t)
            for order in candidates
            if not order.is_final
            for t in available_transitions(order, actor)
            if t.target != order.workflow.archive
        )
        # When the owner makes it
        note = "Moved in the demo test" if transition.note == "required" else ""
        moved = transition_order(order, to=transition.target, actor=actor, note=note)
        # Then the order is in the new state and the move is logged last
        assert moved.state == transition.target
        assert order.events.order_by("created_at", "pk").last().to_state == transition.target


def test_demo_logins_work_with_the_demo_password(demo, client):
    response = client.post("/login/", {"username": "harbour-rep", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(PASSWORD)


def test_the_demo_gives_in_app_contacts_a_portal_login_and_prints_it(demo):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from orderflow.demo.data import PASSWORD

    with_login = Contact.objects.filter(user__isnull=False)
    assert {c.email for c in with_login} >= {
        "sarah@hartleyhomes.example",
        "elise.moreau@atelierlumiere.example",
    }
    assert all("in_app" in c.preferred_channels for c in with_login)
    assert re.search(r"/my/\s+sarah@hartleyhomes\.example\s+customer portal \(Hartley Homes Ltd\)", demo)
    # Sign-ins go through the login throttle, which needs the request
    user = authenticate(
        RequestFactory().post("/login/"), username="sarah@hartleyhomes.example", password=PASSWORD
    )
    assert user is not None
    assert not user.memberships.exists()


def test_each_seller_has_a_catalogue_that_fits_its_trade(demo):
    for seller in Seller.objects.all():
        items = list(Item.objects.filter(seller=seller).select_related("backup_item"))
        assert 8 <= len(items) <= 20, seller.slug
        assert all(item.order_type is not None for item in items)
        assert all(item.backup_item.seller_id == seller.pk for item in items if item.backup_item)
    harbour = Item.objects.filter(seller__slug="harbour")
    assert harbour.filter(unit="keg").exists()
    assert harbour.filter(unit="case").exists()
    out = harbour.filter(availability="out_of_stock")
    assert out.exists()
    assert all(item.backup_item is not None for item in out)
    brightlane = Item.objects.filter(seller__slug="brightlane")
    assert {"flat_fee", "quote"} <= set(brightlane.values_list("kind", flat=True))
    assert Item.objects.filter(seller__slug="pauls-doors", kind="quote", unit_price__isnull=True).exists()
    assert Item.objects.filter(seller__slug="erables", name__startswith="Panier de fruits").exists()


def test_the_demos_order_lines_point_at_the_catalogue(demo):
    linked = OrderLine.objects.filter(item__isnull=False)
    assert linked.exists()
    assert all(line.item.sku == line.sku for line in linked.select_related("item"))
    assert OrderLine.objects.filter(backup_item__isnull=False, order__seller__slug="harbour").exists()


def test_a_newcomers_outbox_holds_every_kind_of_message(demo):
    from orderflow.notifications.models import Delivery

    channels = set(Delivery.objects.values_list("channel", flat=True))
    assert channels >= {"email", "sms", "messenger", "in_app", "call", "webhook"}
    # One waits for its contact's delivery hours, whatever the hour the demo is loaded at
    assert Delivery.objects.filter(status="pending", due_at__gt=timezone.now()).exists()


def test_brightlanes_partner_can_accept_a_sent_quote_in_the_portal(demo, client):
    from orderflow.quotes.models import Quote, QuoteStatus

    waiting = Quote.objects.get(
        order__seller__slug="brightlane", order__title__startswith="Capture de contacts"
    )
    assert waiting.status == QuoteStatus.SENT
    order = waiting.order
    assert order.state == "pending_approval"
    elise = order.placed_by
    assert elise is not None
    assert elise.user is not None
    client.force_login(elise.user)
    order.refresh_from_db()
    response = client.post(f"/my/orders/{order.number}/quote/1/accept/", {"version": order.version})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "approved"
    assert order.estimated_completion == waiting.completion_on
    assert order.lines.count() == 3
    # A request still waits for staff to answer it with a quote.
    assert Order.objects.filter(
        seller__slug="brightlane", state="pending_quotes", quotes__isnull=True
    ).exists()
