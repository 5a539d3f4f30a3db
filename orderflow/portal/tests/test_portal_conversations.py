"""The customer's side of Conversations: their orders' messages, their own unread counts, never an
internal note, never another customer's thread."""

from __future__ import annotations

from django.urls import reverse

from orderflow.conversations.actions import post_message
from orderflow.core.actors import Actor


def _badge(page: str) -> str:
    return page.split('data-testid="conversations-count">', 1)[1].split("<", 1)[0]


def test_a_staff_message_is_unread_until_the_order_is_opened(as_alice, make_order, sam):
    order = make_order("distributor", title="Lemonade for the terrace")
    post_message(order, body="Lemonade ships Friday", actor=Actor.staff(sam))
    post_message(order, body="SECRET-NOTE they pay late", actor=Actor.staff(sam), internal=True)

    page = as_alice.get(reverse("portal_conversations")).content.decode()
    assert "Lemonade for the terrace" in page
    assert 'data-testid="unread">1<' in page  # the note is not counted
    assert "SECRET-NOTE" not in page
    assert _badge(page) == "1"

    order_page = as_alice.get(reverse("portal_order", kwargs={"number": order.number})).content.decode()
    assert "Lemonade ships Friday" in order_page
    assert "SECRET-NOTE" not in order_page
    assert _badge(as_alice.get(reverse("portal_conversations")).content.decode()) == "0"


def test_a_thread_with_only_internal_notes_is_not_listed(as_alice, make_order, sam):
    order = make_order("distributor", title="Quiet order")
    post_message(order, body="SECRET-NOTE", actor=Actor.staff(sam), internal=True)
    page = as_alice.get(reverse("portal_conversations")).content.decode()
    assert "Quiet order" not in page
    assert _badge(page) == "0"


def test_another_customers_threads_stay_out(client, carla, oscar, make_order, sam, place_for):
    order = make_order("distributor", title="Corner Bar business")
    post_message(order, body="For Alice only", actor=Actor.staff(sam))
    own = place_for(carla, "Cafe beans")
    post_message(own, body="Beans roasted", actor=Actor.staff(sam))

    client.force_login(carla.user)
    page = client.get(reverse("portal_conversations")).content.decode()
    assert "Cafe beans" in page
    assert "Corner Bar business" not in page
    assert "For Alice only" not in page
    assert _badge(page) == "1"

    client.force_login(oscar.user)  # another seller's customer
    page = client.get(reverse("portal_conversations")).content.decode()
    assert "Corner Bar business" not in page
    assert "Cafe beans" not in page
    assert _badge(page) == "0"
