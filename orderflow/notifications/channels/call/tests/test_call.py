"""A phone call: a task for staff to call a customer, held by the customer's delivery hours."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import time_machine

from orderflow.core.actors import Actor
from orderflow.notifications.actions import save_template, set_preference
from orderflow.notifications.channels.call.spec import SPEC
from orderflow.notifications.models import CallTask, Category, Channel, Delivery, Status
from orderflow.notifications.recipients import as_recipient
from orderflow.notifications.worker import Worker
from orderflow.orders.actions import assign_order, transition_order

MORNING_IN_PARIS = dt.datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


def test_only_customers_with_a_phone_number_are_called(bruno, alice, olivia):
    assert SPEC.address is not None
    assert SPEC.address(as_recipient(bruno)) == (bruno.phone, "")
    for not_callable in (alice, olivia):  # no phone number; staff are not called
        address, problem = SPEC.address(as_recipient(not_callable))
        assert address == ""
        assert problem
    assert (SPEC.held_by_hours, SPEC.leaves_system, SPEC.picked_by) == (True, False, {"contact"})


@time_machine.travel(MORNING_IN_PARIS, tick=False)
def test_a_customer_who_prefers_calls_gets_a_call_task_for_the_assignee(make_order, olivia, sam, bruno):
    # Given Bruno wants a call about his orders, and Sam is assigned to his order
    set_preference(
        bruno, category=Category.ORDER_UPDATES, enabled=True, channels=["call"], actor=Actor.customer(bruno)
    )
    order = make_order("shop", contact=bruno)
    order = assign_order(order, assignee=sam, actor=Actor.staff(olivia))
    order = transition_order(order, to="in_preparation", actor=Actor.staff(olivia))

    Worker().run_once()

    delivery = Delivery.objects.get(
        notification__contact=bruno, notification__template="status_changed", channel=Channel.CALL
    )
    [task] = CallTask.objects.filter(delivery=delivery)
    assert (task.assignee, task.contact, task.phone, task.order) == (sam, bruno, "+33612345678", order)
    assert task.script.startswith("Call Bruno Petit on +33612345678 and tell them:")
    assert f"Votre commande n° {order.number}" in task.script
    assert task.done_at is None
    assert delivery.status == Status.SENT


@time_machine.travel(MORNING_IN_PARIS, tick=False)
def test_a_call_script_carries_the_staff_page_never_a_customer_link(make_order, olivia, bruno, acme):
    # Given Bruno wants calls, and the seller's wording embeds every link a message can carry
    set_preference(
        bruno, category=Category.ORDER_UPDATES, enabled=True, channels=["call"], actor=Actor.customer(bruno)
    )
    save_template(
        acme,
        key="status_changed",
        locale="fr",
        actor=Actor.staff(olivia),
        subject="Commande {{ order_number }}",
        body="Suivi {{ order_url }} réponse {{ reply_url }} réglages {{ preferences_url }} {{ action_url }}",
        sms="{{ order_url }}",
    )
    order = make_order("shop", contact=bruno)
    order = transition_order(order, to="in_preparation", actor=Actor.staff(olivia))

    # When the worker makes the call task
    Worker().run_once()

    # Then its script shows the order's staff page and no link that acts as Bruno
    [task] = CallTask.objects.filter(contact=bruno)
    assert f"/s/{acme.slug}/orders/{order.number}/" in task.script
    assert not re.search(r"/[tpfdu]/[A-Za-z0-9_-]{16,}", task.script)
