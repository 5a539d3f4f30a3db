"""A refund's reason is the customer's to read: staff are told so when they type it, and the customer's
order page and refund message present it as the reason for the refund."""

from __future__ import annotations

import html
import re

from django.urls import reverse

from orderflow.core.actors import Actor
from orderflow.notifications.models import Notification
from orderflow.notifications.render import render
from orderflow.orders.actions import refund_order
from orderflow.orders.models import EventType
from orderflow.web.forms import RefundForm
from orderflow.web.tests.conftest import order_url


def test_staff_type_the_reason_knowing_the_customer_reads_it(client, olivia, make_order):
    order = make_order("shop")
    client.force_login(olivia.user)

    page = client.get(order_url(order)).content.decode()

    assert RefundForm(order=order).fields["reason"].help_text
    assert 'aria-describedby="id_refund_reason_helptext"' in page
    assert 'id="id_refund_reason_helptext"' in page


def test_the_customer_sees_the_reason_as_the_refunds_reason(as_alice, make_order, olivia):
    order = make_order("shop")
    refund_order(order, amount="5.00", reason="One bottle arrived broken", actor=Actor.staff(olivia))

    page = as_alice.get(reverse("portal_order", kwargs={"number": order.number})).content.decode()

    [reason] = re.findall(r'<span class="note" data-note="refund-reason">(.*?)</span>', page)
    assert "One bottle arrived broken" in html.unescape(reason)


def test_the_refund_message_carries_the_reason_in_its_own_line(make_order, olivia, alice):
    order = make_order("shop")
    refund_order(order, amount="5.00", reason="One bottle arrived broken", actor=Actor.staff(olivia))
    notification = Notification.objects.get(
        contact=alice, event__type=EventType.REFUNDED, template="order_refunded"
    )

    rendered = render(notification)

    [line] = [line for line in rendered.text.splitlines() if "One bottle arrived broken" in line]
    assert line != "One bottle arrived broken"  # labelled, never the bare text
