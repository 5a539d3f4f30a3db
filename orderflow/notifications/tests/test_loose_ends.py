"""Issue 11's loose ends on the notification side: "00:00-24:00" is all day, a changed estimated
completion tells the customer, a rating withdraws the feedback request not sent yet, a call's outcome
is logged, and the sandbox shows an SMS's sending number."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from orderflow.accounts.actions import add_contact
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications import windows
from orderflow.notifications.actions import (
    complete_call_task,
    record_feedback,
    set_schedule,
    update_settings,
)
from orderflow.notifications.models import (
    CallTask,
    Category,
    Channel,
    Delivery,
    Event,
    Notification,
    SandboxMessage,
    Status,
)
from orderflow.orders.actions import set_estimated_completion, transition_order
from orderflow.orders.models import EventType
from orderflow.web.tests.conftest import DAYTIME, run_worker

DOORS_PATH = ("measurements", "design_agreed", "materials_selected", "in_production", "packed", "shipped")

# ----------------------------------------------------------------------------------------------
# All day


def test_midnight_to_midnight_is_the_whole_day():
    assert windows.parse_spans("00:00-24:00") == [[0, 1440]]
    assert windows.validate({"0": [[0, 1440]]}) == {"0": [[0, 1440]]}
    assert windows.format_spans([[0, 1440]]) == "00:00-24:00"


def test_a_whole_day_is_open_at_every_minute_of_it():
    schedule = {str(day): [[0, 1440]] for day in range(7)}
    for hour in (0, 3, 12, 23):
        at = dt.datetime(2026, 6, 10, hour, 59, tzinfo=dt.UTC)
        assert windows.next_open(at, "America/New_York", schedule) == at


@pytest.mark.parametrize("text", ["24:00-24:00", "00:00-00:00", "01:00-24:30", "25:00-26:00"])
def test_other_impossible_or_empty_spans_are_still_refused(text):
    with pytest.raises(windows.WindowError):
        windows.parse_spans(text)


def test_a_contact_may_take_messages_all_day(alice):
    saved = set_schedule(alice, {"Monday": "00:00-24:00"}, actor=Actor.customer(alice))
    assert saved is not None
    assert saved.schedule == {"0": [[0, 1440]]}


def test_the_api_accepts_all_day_hours_for_a_contact(alice, olivia):
    import re

    from orderflow.api.customers import DAY_HOURS

    assert re.fullmatch(DAY_HOURS, "00:00-24:00")
    assert re.fullmatch(DAY_HOURS, "09:00-12:00, 14:00-24:00")
    assert not re.fullmatch(DAY_HOURS, "09:00-09:00")


# ----------------------------------------------------------------------------------------------
# A changed estimate


def test_a_changed_estimated_completion_tells_the_contact(make_order, olivia, alice):
    # Given a custom-production order
    order = make_order("custom-production")
    date = timezone.localdate() + dt.timedelta(days=10)

    # When Olivia sets the date, sets it again unchanged, then changes it
    set_estimated_completion(order, date=date, actor=Actor.staff(olivia))
    set_estimated_completion(order, date=date, actor=Actor.staff(olivia))
    set_estimated_completion(order, date=date + dt.timedelta(days=2), actor=Actor.staff(olivia))

    # Then two changes are logged and Alice is told of each, with the message of that trigger
    told = Notification.objects.filter(contact=alice, template="estimate_changed").order_by("pk")
    assert order.events.filter(type=EventType.ESTIMATE_SET).count() == 2
    assert [n.rule.event for n in told] == [Event.ESTIMATE_CHANGED, Event.ESTIMATE_CHANGED]


def test_clearing_the_estimate_tells_nobody(make_order, olivia, alice):
    order = make_order("custom-production")
    order = set_estimated_completion(
        order, date=timezone.localdate() + dt.timedelta(days=3), actor=Actor.staff(olivia)
    )
    set_estimated_completion(order, date=None, actor=Actor.staff(olivia))
    assert Notification.objects.filter(template="estimate_changed").count() == 1


def test_the_estimate_message_renders_in_english_and_french(make_order, olivia, alice):
    from orderflow.notifications.render import render

    order = make_order("custom-production")
    set_estimated_completion(order, date=dt.date(2099, 6, 1), actor=Actor.staff(olivia))
    notification = Notification.objects.get(template="estimate_changed")
    english = render(notification)
    notification.locale = "fr"
    french = render(notification)
    assert "2099" in english.subject
    assert "2099" in french.subject
    assert english.subject != french.subject


# ----------------------------------------------------------------------------------------------
# Feedback requests withdrawn


def test_rating_withdraws_the_feedback_request_not_sent_yet(make_order, olivia, alice):
    # Given delivered doors: the request for feedback waits a day before it goes
    order = make_order("custom-production", path=DOORS_PATH)
    order = transition_order(order, to="delivered", actor=Actor.staff(olivia))
    request = Delivery.objects.get(notification__category=Category.FEEDBACK, notification__contact=alice)
    assert request.status == Status.PENDING

    # When Alice rates from the tracking page before it is sent
    record_feedback(order, rating=5, comment="", actor=Actor.customer(alice))

    # Then the request is withdrawn, saying why, and no worker will send it
    request.refresh_from_db()
    assert request.status == Status.SUPPRESSED
    assert "rated" in request.reason
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False):
        run_worker()
    request.refresh_from_db()
    assert request.status == Status.SUPPRESSED


def test_a_refused_rating_withdraws_nothing(make_order, olivia, alice):
    order = make_order("custom-production", path=DOORS_PATH)
    order = transition_order(order, to="delivered", actor=Actor.staff(olivia))
    with pytest.raises(ActionError):
        record_feedback(order, rating=9, comment="", actor=Actor.customer(alice))
    assert Delivery.objects.get(notification__category=Category.FEEDBACK).status == Status.PENDING


# ----------------------------------------------------------------------------------------------
# Calls and SMS


@pytest.fixture
def call_task(make_order, corner_bar, olivia):
    carl = add_contact(corner_bar, name="Carl Caller", phone="+12125550199", preferred_channels=["call"])
    with time_machine.travel(DAYTIME, tick=False):
        order = make_order("shop", contact=carl, title="Cake for Carl")
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
        run_worker()
    return CallTask.objects.get()


def test_a_calls_outcome_is_logged_on_its_order_for_staff_only(call_task, olivia):
    complete_call_task(call_task, outcome="Left a voicemail", actor=Actor.staff(olivia))
    event = call_task.order.events.get(type=EventType.CALL_DONE)
    assert event.data["outcome"] == "Left a voicemail"
    assert event.data["contact"] == "Carl Caller"
    assert not event.customer_visible


def test_an_sms_in_the_sandbox_shows_the_sellers_sending_number(settings, acme, olivia, make_order, bruno):
    settings.NOTIFICATIONS_SANDBOX = True
    update_settings(acme, sms_sender="+15145550100", actor=Actor.staff(olivia))
    with time_machine.travel(DAYTIME, tick=False):
        order = make_order("shop", contact=bruno)
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
        run_worker()
    sms = SandboxMessage.objects.get(channel=Channel.SMS)
    assert sms.headers == {"From": "+15145550100"}
