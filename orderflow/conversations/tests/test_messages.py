from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from orderflow.conversations.actions import post_message
from orderflow.conversations.models import Message
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.notifications import links
from orderflow.notifications.models import Notification
from orderflow.orders.actions import assign_order
from orderflow.orders.models import EventType


def test_a_customer_message_is_logged_and_tells_the_staff(make_order, alice, sam, olivia):
    order = assign_order(make_order("distributor"), assignee=sam, actor=Actor.staff(olivia))

    message = post_message(order, body="Can you add two crates of cola?", actor=Actor.customer(alice))

    event = order.events.get(type=EventType.MESSAGE)
    assert (event.note, event.data["message_id"], event.customer_visible) == (message.body, message.pk, True)
    told = set(
        Notification.objects.filter(event=event, skipped=False).values_list("recipient_name", flat=True)
    )
    assert told == {"Sam", "Olivia"}  # the assignee and the staff; Alice wrote it


def test_a_staff_reply_tells_the_customer_with_a_reply_link(make_order, alice, sam):
    order = make_order("distributor")
    post_message(order, body="Cola is out of stock, we can send lemonade.", actor=Actor.staff(sam))
    notification = Notification.objects.get(order=order, contact=alice, template="new_message")
    assert not notification.skipped


def test_an_internal_note_never_reaches_the_customer(make_order, alice, sam, client):
    order = make_order("distributor")

    post_message(order, body="They still owe us for March", actor=Actor.staff(sam), internal=True)

    event = order.events.get(type=EventType.MESSAGE)
    assert not event.customer_visible
    to_alice = Notification.objects.get(event=event, contact=alice)
    assert to_alice.skipped
    assert not to_alice.deliveries.exists()
    assert "internal note is never sent" in to_alice.reason
    page = client.get(urlsplit(links.url("track", order=order.pk, contact=alice.pk)).path).content.decode()
    assert "owe us" not in page


def test_customers_cannot_write_internal_notes_or_post_on_others_orders(make_order, alice, acme):
    from orderflow.accounts.actions import add_contact, add_customer

    order = make_order("shop")
    with pytest.raises(Forbidden):
        post_message(order, body="x", actor=Actor.customer(alice), internal=True)
    stranger = add_contact(add_customer(acme, name="Other"), name="Eve", email="eve@other.example")
    with pytest.raises(Forbidden):
        post_message(order, body="x", actor=Actor.customer(stranger))
    assert not Message.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_an_empty_or_huge_message_is_refused(make_order, sam, body):
    with pytest.raises(ActionError):
        post_message(make_order("shop"), body=body, actor=Actor.staff(sam))
    assert not Message.objects.exists()


def test_the_customer_replies_from_the_tracking_page(make_order, alice, client):
    order = make_order("shop")
    url = urlsplit(links.url("track", order=order.pk, contact=alice.pk)).path

    assert client.post(url, {"body": ""}).status_code == 400
    response = client.post(url, {"body": "Please leave it with the concierge"}, follow=True)

    assert "Your message was sent" in response.content.decode()
    assert "Please leave it with the concierge" in response.content.decode()
    assert Message.objects.get().author_contact == alice
