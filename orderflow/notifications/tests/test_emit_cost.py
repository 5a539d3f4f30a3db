"""How many statements an order change costs with its notifications, pinned so that a change to emit,
the recipients or the actions that reads per person or per rule again fails here (bench/README.md).

Counted inside the test's transaction: the action's own transaction is a savepoint there (SAVEPOINT and
RELEASE are two of the statements), and the NOTIFY that wakes the worker after the commit is not run."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from orderflow.core.actors import Actor
from orderflow.notifications.emit import settings_for
from orderflow.notifications.models import Audience, Delivery, NotificationRule, Status
from orderflow.orders.actions import assign_order, transition_order
from orderflow.orders.models import Order
from orderflow.workflows.selectors import workflow_version

# The savepoint and its release; the order locked, saved (compare-and-swap), its state counters moved
# and its event appended; webhooks, rules, the recipient with their hours, the notification, their
# preferences, the deliveries.
STATEMENTS = 12


def warm(order: Order) -> Order:
    """A process that has made a change of this order type before: its workflow version is read once
    per process (`workflow_version`), not on every change."""
    workflow_version(order.workflow_version_id, order.order_type_id)
    return order


@pytest.fixture(autouse=True)
def _afternoon_in_new_york():
    """Inside Alice's delivery hours (the seller's default), whatever the hour the suite runs at: a
    message held for later also looks for held ones to supersede, one statement more."""
    with time_machine.travel(
        dt.datetime(2026, 6, 10, 14, 0, tzinfo=ZoneInfo("America/New_York")), tick=False
    ):
        yield


def test_a_status_change_told_to_the_customer_costs_a_fixed_number_of_statements(
    make_order, alice, olivia, acme, django_assert_max_num_queries
):
    # Given a shop order Alice placed; her hours are the seller's (one more statement, to read those)
    settings_for(acme.pk)  # made by the seller's first notification that needs them
    order = warm(make_order("shop"))
    # When Olivia starts preparing it
    with django_assert_max_num_queries(STATEMENTS + 1):
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    # Then Alice is told by email, as the rule says
    [delivery] = Delivery.objects.filter(notification__order=order, notification__template="status_changed")
    assert (delivery.channel, delivery.address, delivery.status) == ("email", alice.email, Status.PENDING)


def test_a_status_change_told_to_the_assignee_costs_a_fixed_number_of_statements(
    make_order, sam, olivia, django_assert_max_num_queries
):
    # Given a shop order assigned to Sam, whose rule for "in preparation" tells the assignee
    NotificationRule.objects.filter(state="in_preparation").update(audience=Audience.ASSIGNEE)
    order = warm(assign_order(make_order("shop"), assignee=sam, actor=Actor.staff(olivia)))
    # When Olivia starts preparing it
    with django_assert_max_num_queries(STATEMENTS):
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    # Then Sam is told in the app (he has no email address: that delivery fails, with the reason)
    told = {
        d.channel: d.status
        for d in Delivery.objects.filter(notification__order=order, notification__template="status_changed")
    }
    assert told == {"email": Status.FAILED, "in_app": Status.PENDING}
