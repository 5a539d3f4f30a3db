"""What an action writes to the outbox: the Notification and Delivery rows, and the reasons on them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from orderflow.accounts.actions import add_staff
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.actions import add_watcher, set_preference, set_schedule
from orderflow.notifications.models import (
    Category,
    Delivery,
    Notification,
    NotificationRule,
    Preference,
    Status,
)
from orderflow.orders.actions import assign_order, cancel_order, mark_seen, transition_order

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def deliveries(order, **filters):
    return list(Delivery.objects.filter(notification__order=order, **filters).select_related("notification"))


def test_a_new_distributor_order_tells_every_rep_on_their_channels(make_order, olivia, sam, acme):
    rep = add_staff(acme, username="rick", password=None, first_name="Rick", email="rick@acme.example",
                    phone="+14155550100")  # fmt: skip
    order = make_order("distributor")
    sent = {(d.notification.recipient_name, d.channel) for d in deliveries(order, status=Status.PENDING)}
    # Olivia and Sam have no email address: their email delivery fails with a reason, in-app goes.
    assert sent == {
        ("Rick", "email"),
        ("Rick", "sms"),
        ("Rick", "in_app"),
        ("Olivia", "in_app"),
        ("Sam", "in_app"),
    }
    [no_email] = deliveries(order, status=Status.FAILED, notification__membership=olivia)
    assert "Olivia has no email address" in no_email.reason
    assert all(d.due_at == order.submitted_at for d in deliveries(order, notification__membership=rep))


def test_seen_tells_nobody_and_confirming_tells_the_contact(make_order, sam, alice):
    order = make_order("distributor")
    before = Notification.objects.count()
    order = mark_seen(order, actor=Actor.staff(sam))
    assert Notification.objects.count() == before
    with time_machine.travel(dt.datetime(2026, 6, 10, 14, 0, tzinfo=NEW_YORK), tick=False):
        transition_order(order, to="confirmed", actor=Actor.staff(sam), note="Entered")
    [delivery] = deliveries(order, notification__contact=alice)
    assert (delivery.channel, delivery.address, delivery.status) == ("email", alice.email, Status.PENDING)
    assert "Alice Martin's preferred channels" in delivery.reason
    assert "placed the order" in delivery.notification.reason


def test_a_change_at_night_is_held_until_the_window_opens_in_the_contacts_time_zone(
    make_order, bruno, olivia
):
    order = make_order("shop", contact=bruno)
    with time_machine.travel(dt.datetime(2026, 6, 10, 22, 30, tzinfo=PARIS), tick=False):
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    [delivery] = deliveries(order, notification__contact=bruno, notification__template="status_changed")
    assert delivery.channel == "sms"
    assert delivery.due_at == dt.datetime(2026, 6, 11, 9, 0, tzinfo=PARIS)
    assert (
        "Held by the seller's delivery hours (every day 09:00-21:00, Europe/Paris) "
        "until Jun 11, 2026, 9:00\u202fAM CEST" in delivery.reason
    )


def test_held_status_messages_are_coalesced_into_the_newest(make_order, bruno, olivia):
    order = make_order("shop", contact=bruno)
    for minute, state in ((30, "in_preparation"), (40, "ready_for_pickup")):
        with time_machine.travel(dt.datetime(2026, 6, 10, 22, minute, tzinfo=PARIS), tick=False):
            order = transition_order(order, to=state, actor=Actor.staff(olivia))
    older, newest = deliveries(order, notification__template="status_changed")
    assert older.status == Status.SUPERSEDED
    assert older.superseded_by == newest
    assert "Superseded by delivery" in older.reason
    assert newest.status == Status.PENDING


def test_a_message_sent_inside_the_window_is_not_superseded(make_order, bruno, olivia):
    order = make_order("shop", contact=bruno)
    with time_machine.travel(dt.datetime(2026, 6, 10, 10, 0, tzinfo=PARIS), tick=False):
        order = transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
        order = transition_order(order, to="ready_for_pickup", actor=Actor.staff(olivia))
    assert [d.status for d in deliveries(order, notification__template="status_changed")] == [
        "pending",
        "pending",
    ]


def test_an_urgent_rule_ignores_delivery_hours(make_order, bruno, olivia):
    NotificationRule.objects.filter(state="in_preparation").update(urgent=True)
    order = make_order("shop", contact=bruno)
    at = dt.datetime(2026, 6, 10, 23, 0, tzinfo=PARIS)
    with time_machine.travel(at, tick=False):
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    [delivery] = deliveries(order, notification__template="status_changed")
    assert delivery.due_at == at
    assert "Urgent" in delivery.reason


def test_a_contacts_own_hours_win_over_the_sellers(make_order, bruno, olivia):
    set_schedule(bruno, {"Monday": "", "Wednesday": "18:00-20:00"}, actor=Actor.customer(bruno))
    order = make_order("shop", contact=bruno)
    with time_machine.travel(dt.datetime(2026, 6, 10, 10, 0, tzinfo=PARIS), tick=False):  # a Wednesday
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    [delivery] = deliveries(order, notification__template="status_changed")
    assert delivery.due_at == dt.datetime(2026, 6, 10, 18, 0, tzinfo=PARIS)
    assert "Bruno Petit's delivery hours" in delivery.reason


def test_a_category_turned_off_is_suppressed_with_the_reason(make_order, alice, olivia):
    set_preference(
        alice, category=Category.ORDER_UPDATES, enabled=False, channels=[], actor=Actor.customer(alice)
    )
    order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
    [delivery] = deliveries(order, notification__template="status_changed")
    assert delivery.status == Status.SUPPRESSED
    assert "Alice Martin turned off Order status updates" in delivery.reason


@pytest.mark.parametrize("channel", ["webhook", "pigeon"])
def test_a_person_cannot_choose_a_channel_that_is_not_for_people(channel, alice):
    with pytest.raises(ActionError, match=f"Unknown channel\\(s\\): {channel}"):
        set_preference(
            alice,
            category=Category.ORDER_UPDATES,
            enabled=True,
            channels=[channel],
            actor=Actor.customer(alice),
        )
    assert not Preference.objects.filter(contact=alice).exists()


def test_cancellations_cannot_be_turned_off(make_order, alice, olivia):
    with pytest.raises(Exception, match="cannot be turned off"):
        set_preference(
            alice, category=Category.TRANSACTIONAL, enabled=False, channels=[], actor=Actor.customer(alice)
        )
    order = cancel_order(make_order("shop"), actor=Actor.staff(olivia), reason="Sold out")
    [delivery] = deliveries(order, notification__template="order_cancelled")
    assert delivery.status == Status.PENDING


def test_an_sms_without_a_phone_number_fails_with_a_readable_reason(make_order, alice, olivia):
    set_preference(alice, category=Category.ORDER_UPDATES, enabled=True, channels=["sms", "email"],
                   actor=Actor.customer(alice))  # fmt: skip
    order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
    by_channel = {d.channel: d for d in deliveries(order, notification__template="status_changed")}
    assert by_channel["sms"].status == Status.FAILED
    assert "Alice Martin has no phone number for SMS" in by_channel["sms"].reason
    assert by_channel["email"].status == Status.PENDING


def test_the_person_who_made_the_change_is_not_told(make_order, alice):
    order = cancel_order(make_order("distributor"), actor=Actor.customer(alice))
    [notification] = Notification.objects.filter(order=order, contact=alice, template="order_cancelled")
    assert notification.skipped
    assert "they made this change themselves" in notification.reason
    assert not notification.deliveries.exists()


def test_an_assignment_tells_the_assignee_only(make_order, olivia, sam):
    order = assign_order(make_order("services-marketplace"), assignee=sam, actor=Actor.staff(olivia))
    [notification] = Notification.objects.filter(order=order, template="order_assigned")
    assert notification.membership == sam


def test_a_rule_whose_audience_is_empty_says_so(make_order, olivia):
    order = make_order("distributor")
    order = cancel_order(order, actor=Actor.staff(olivia))
    skipped = Notification.objects.get(order=order, template="order_cancelled", recipient_name="nobody")
    assert "The order is not assigned to anyone" in skipped.reason


def test_watchers_get_email(make_order, olivia):
    order = make_order("services-marketplace")
    add_watcher(order, email="campaigns@partner.example", actor=Actor.staff(olivia))
    order = transition_order(order, to="approved", actor=Actor.staff(olivia))
    [delivery] = deliveries(order, notification__email="campaigns@partner.example")
    assert delivery.channel == "email"


def test_a_rolled_back_change_leaves_no_notification(make_order, olivia):
    order = make_order("shop")
    before = Notification.objects.count()

    def change_then_fail():
        with transaction.atomic():
            transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
            raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert Notification.objects.count() == before


def test_a_feedback_request_is_scheduled_after_delivery(make_order, olivia, alice):
    order = make_order("custom-production", path=("measurements", "design_agreed", "materials_selected",
                                                  "in_production", "packed", "shipped"))  # fmt: skip
    at = dt.datetime(2026, 6, 10, 11, 0, tzinfo=NEW_YORK)
    with time_machine.travel(at, tick=False):
        transition_order(order, to="delivered", actor=Actor.staff(olivia))
    [delivery] = deliveries(order, notification__template="feedback_request")
    assert delivery.due_at == at + dt.timedelta(hours=24)
    assert "Feedback is asked 1440 minutes after completion" in delivery.reason


def test_an_order_type_gets_default_rules_from_its_workflow(order_types):
    rules = NotificationRule.objects.filter(order_type=order_types["custom-production"])
    packed = rules.get(event="status_changed", state="packed", audience="contact")
    assert packed.action == "choose_delivery_time"
    assert rules.filter(event="feedback_due", audience="contact").exists()
    assert not NotificationRule.objects.filter(order_type=order_types["distributor"], state="seen").exists()


def test_muted_changes_are_logged_but_tell_nobody(make_order, olivia):
    from orderflow.notifications.emit import muted

    with muted():
        order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
    assert order.events.count() == 2
    assert not Notification.objects.filter(order=order).exists()
    order = transition_order(order, to="ready_for_pickup", actor=Actor.staff(olivia))
    assert Notification.objects.filter(order=order).exists()


def test_the_reasons_of_a_french_seller_are_written_in_french(make_order, sam, alice, acme):
    """The trace is read by the seller's staff: its reasons are in the seller's language, whatever
    language the person making the change reads."""
    acme.locale = "fr"
    acme.save(update_fields=["locale"])
    order = make_order("distributor")
    with time_machine.travel(dt.datetime(2026, 6, 10, 14, 0, tzinfo=NEW_YORK), tick=False):
        transition_order(order, to="confirmed", actor=Actor.staff(sam), note="Entered")
    [delivery] = deliveries(order, notification__contact=alice)
    assert delivery.notification.reason.startswith("Règle n")
    assert "a passé la commande" in delivery.notification.reason
    assert "placed the order" not in delivery.notification.reason
