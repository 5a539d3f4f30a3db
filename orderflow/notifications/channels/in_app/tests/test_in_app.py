"""In-app: an inbox item for anyone who can sign in, never held by delivery hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from orderflow.notifications.channels.in_app.spec import SPEC
from orderflow.notifications.models import Channel, Delivery, InboxItem, Status
from orderflow.notifications.recipients import as_recipient
from orderflow.notifications.worker import Worker

MORNING_IN_PARIS = dt.datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


def test_in_app_reaches_staff_and_contacts_with_a_login(olivia, alice):
    assert SPEC.address is not None
    assert SPEC.address(as_recipient(olivia)) == (f"staff:{olivia.pk}", "")
    address, problem = SPEC.address(as_recipient(alice))  # no portal login
    assert address == ""
    assert problem
    assert (SPEC.held_by_hours, SPEC.leaves_system, SPEC.needs_login) == (False, False, True)
    assert SPEC.picked_by == {"staff", "contact"}


@time_machine.travel(MORNING_IN_PARIS, tick=False)
def test_in_app_creates_one_inbox_item_even_when_sent_twice(make_order, olivia):
    # Given a new shop order, which tells the staff in-app
    order = make_order("shop")
    delivery = Delivery.objects.get(notification__membership=olivia, channel=Channel.IN_APP)

    Worker().run_once()

    [item] = InboxItem.objects.filter(membership=olivia)
    assert (item.delivery, item.order) == (delivery, order)
    assert item.subject == f"New order #{order.number} from Corner Bar"
    assert item.read_at is None
    # When the same delivery is sent again (a worker stopped before recording it)
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.PENDING)
    Worker().run_once()
    # Then the inbox still has one item for it
    assert InboxItem.objects.filter(membership=olivia).count() == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
