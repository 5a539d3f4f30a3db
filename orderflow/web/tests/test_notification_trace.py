"""The "why (not)" trace on the order page: every notification decision, under the event that caused it."""

from __future__ import annotations

import datetime as dt
import re

import time_machine

from orderflow.core.actors import Actor
from orderflow.notifications.models import Delivery, Status
from orderflow.orders.actions import cancel_order, transition_order
from orderflow.web.tests.conftest import DAYTIME, PARIS, order_url, run_worker, seller_url


def trace_of(page: str) -> str:
    match = re.search(r'data-testid="notification-trace">(.*?)</section>', page, re.S)
    assert match, "the order page has a Notifications section"
    return match.group(1)


def test_a_change_at_night_shows_as_held_until_the_morning_in_the_contacts_time_zone(
    as_olivia, make_order, bruno, olivia
):
    # Given Bruno (SMS, Paris) ordered, and Olivia moved the order at 22:30 in Paris
    order = make_order("shop", contact=bruno)
    night = dt.datetime(2026, 6, 10, 22, 30, tzinfo=PARIS)
    with time_machine.travel(night, tick=False):
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))

        # When she opens the order that same night
        trace = trace_of(as_olivia.get(order_url(order)).content.decode())

    # Then the trace says who, which channel, that it is held, until when (Paris time) and why
    assert "Status changed from Newly placed to In preparation" in trace
    assert "Bruno Petit" in trace
    assert "placed the order" in trace
    assert '<span class="dstatus dstatus-held">held</span>' in trace
    assert "+33612345678" in trace
    assert "until <time" in trace
    assert 'Jun 11, 2026, 9:00\u202fAM CEST</time> <span class="muted">(Europe/Paris)</span>' in trace
    assert "Held by the seller&#x27;s delivery hours (every day 09:00-21:00, Europe/Paris)" in trace
    assert "Europe/Paris) until Jun 11, 2026, 9:00\u202fAM CEST." in trace


def test_a_superseded_message_is_shown_with_the_one_that_replaced_it(as_olivia, make_order, bruno, olivia):
    # Given two status changes during Bruno's night
    order = make_order("shop", contact=bruno)
    for minute, state in ((30, "in_preparation"), (40, "ready_for_pickup")):
        with time_machine.travel(dt.datetime(2026, 6, 10, 22, minute, tzinfo=PARIS), tick=False):
            order = transition_order(order, to=state, actor=Actor.staff(olivia))
    older, newest = Delivery.objects.filter(
        notification__order=order, notification__template="status_changed"
    ).order_by("pk")

    with time_machine.travel(dt.datetime(2026, 6, 10, 22, 45, tzinfo=PARIS), tick=False):
        trace = trace_of(as_olivia.get(order_url(order)).content.decode())

    # Then the newest is held and the older one superseded by it, newest event first
    assert older.status == Status.SUPERSEDED
    assert '<span class="dstatus dstatus-superseded">superseded</span>' in trace
    assert f"Superseded by delivery #{newest.pk}" in trace
    assert trace.index("Status changed from In preparation to Ready for pickup") < trace.index(
        "Status changed from Newly placed to In preparation"
    )


def test_someone_not_told_is_listed_with_the_reason(as_olivia, make_order, olivia):
    order = cancel_order(make_order("distributor"), actor=Actor.staff(olivia))

    trace = trace_of(as_olivia.get(order_url(order)).content.decode())

    assert '<span class="dstatus dstatus-skipped">not told</span>' in trace
    assert "fired but told nobody: The order is not assigned to anyone." in trace


def test_a_sent_message_shows_its_attempt_and_a_link_to_read_it(
    as_olivia, sandbox, make_order, olivia, alice
):
    with time_machine.travel(DAYTIME, tick=False):
        order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
        run_worker()
    delivery = Delivery.objects.get(notification__order=order, notification__contact=alice, channel="email")

    trace = trace_of(as_olivia.get(order_url(order)).content.decode())

    assert '<span class="dstatus dstatus-sent">sent</span>' in trace
    assert "alice@cornerbar.example" in trace
    assert re.search(r"<td[^>]*>Sent</td>", trace)  # the attempt
    assert " ms</td>" in trace
    message_url = seller_url("outbox_message", delivery_id=delivery.pk)
    assert f'href="{message_url}">Read the message</a>' in trace
    # Staff with no email address: the failed delivery says why
    assert "Olivia has no email address." in trace


def test_the_trace_takes_as_many_queries_for_many_notifications_as_for_few(
    as_olivia, sandbox, make_order, olivia, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(order) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_olivia.get(order_url(order)).status_code == 200
        return len(captured.captured_queries)

    with time_machine.travel(DAYTIME, tick=False):
        few = make_order("shop")
        as_olivia.get(order_url(few))  # the first open records "seen"
        budget = queries(few)
        many = make_order("shop", path=("in_preparation", "ready_for_pickup", "picked_up"))
        run_worker()
        as_olivia.get(order_url(many))
    with django_assert_max_num_queries(budget):
        as_olivia.get(order_url(many))
