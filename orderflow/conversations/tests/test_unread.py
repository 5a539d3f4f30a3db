"""Who has read what: unread counts per staff member and per contact, the filters of the
Conversations section, and the menu's badge."""

from __future__ import annotations

import threading

import pytest

from orderflow.conversations.actions import mark_thread_read, post_message
from orderflow.conversations.models import ThreadRead
from orderflow.conversations.selectors import (
    newest_message_id,
    threads_for_customer,
    threads_for_staff,
    unread_thread_count,
    unread_thread_count_for_customer,
)
from orderflow.core.actors import Actor
from orderflow.orders.actions import assign_order


def _unread(threads) -> dict[int, int]:
    return {order.number: order.unread for order in threads}


def test_each_member_has_their_own_unread_counts(make_order, alice, sam, olivia):
    # Given an order with two customer messages and an internal note by Sam
    order = make_order("distributor")
    post_message(order, body="Two more crates?", actor=Actor.customer(alice))
    post_message(order, body="And a bag of ice", actor=Actor.customer(alice))
    post_message(order, body="Check stock first", actor=Actor.staff(sam), internal=True)

    # Then the note counts for Olivia, never for Sam who wrote it
    assert _unread(threads_for_staff(olivia)) == {order.number: 3}
    assert _unread(threads_for_staff(sam)) == {order.number: 2}
    assert unread_thread_count(olivia) == unread_thread_count(sam) == 1

    # When Sam reads the thread, only Sam's count drops
    mark_thread_read(order, up_to=newest_message_id(order, customer=False), actor=Actor.staff(sam))
    assert _unread(threads_for_staff(sam)) == {order.number: 0}
    assert unread_thread_count(sam) == 0
    assert unread_thread_count(olivia) == 1


def test_the_read_position_never_moves_back_and_a_later_message_stays_unread(make_order, alice, sam):
    order = make_order("distributor")
    first = post_message(order, body="Hello", actor=Actor.customer(alice))
    second = post_message(order, body="Still there?", actor=Actor.customer(alice))
    # A tab opened earlier reports an older position after a newer one: nothing moves back
    mark_thread_read(order, up_to=second.pk, actor=Actor.staff(sam))
    mark_thread_read(order, up_to=first.pk, actor=Actor.staff(sam))
    assert ThreadRead.objects.get(membership=sam, order=order).last_read_message_id == second.pk
    # A message arriving after the page was made is unread
    post_message(order, body="Third try", actor=Actor.customer(alice))
    assert _unread(threads_for_staff(sam)) == {order.number: 1}
    assert ThreadRead.objects.filter(order=order).count() == 1


def test_filters_mine_unassigned_and_who_the_thread_waits_for(make_order, alice, sam, olivia):
    waits_for_us = make_order("distributor", title="Customer wrote last")
    post_message(waits_for_us, body="Any news?", actor=Actor.customer(alice))
    post_message(waits_for_us, body="Call them", actor=Actor.staff(sam), internal=True)  # notes don't answer
    waits_for_them = assign_order(
        make_order("distributor", title="We wrote last"), assignee=sam, actor=Actor.staff(olivia)
    )
    post_message(waits_for_them, body="Which colour?", actor=Actor.staff(sam))
    make_order("distributor", title="No messages")  # not a conversation at all

    def numbers(show: str) -> list[int]:
        return [order.number for order in threads_for_staff(olivia, show=show)]

    assert numbers("") == [waits_for_them.number, waits_for_us.number]  # newest message first
    assert numbers("waiting_us") == [waits_for_us.number]
    assert numbers("waiting_customer") == [waits_for_them.number]
    assert numbers("unassigned") == [waits_for_us.number]
    assert [order.number for order in threads_for_staff(sam, show="mine")] == [waits_for_them.number]
    assert numbers("mine") == []
    assert numbers("unread") == [waits_for_them.number, waits_for_us.number]


def test_another_sellers_threads_are_never_counted(make_order, alice, olivia, rita):
    order = make_order("distributor")
    post_message(order, body="Hello", actor=Actor.customer(alice))
    assert list(threads_for_staff(rita)) == []
    assert unread_thread_count(rita) == 0
    assert unread_thread_count(olivia) == 1


def test_customers_count_public_messages_of_their_own_orders_only(make_order, alice, bruno, sam, acme):
    from orderflow.accounts.actions import add_contact, add_customer

    order = make_order("distributor")
    post_message(order, body="Lemonade is late", actor=Actor.staff(sam))
    post_message(order, body="Their truck broke down", actor=Actor.staff(sam), internal=True)

    assert _unread(threads_for_customer(alice)) == {order.number: 1}
    assert unread_thread_count_for_customer(bruno) == 1  # a colleague at the same customer
    stranger = add_contact(add_customer(acme, name="Other"), name="Eve", email="eve@other.example")
    assert list(threads_for_customer(stranger)) == []
    assert unread_thread_count_for_customer(stranger) == 0

    # Alice reads; Bruno still has it unread; a note never counts for either
    mark_thread_read(order, up_to=newest_message_id(order, customer=True), actor=Actor.customer(alice))
    assert unread_thread_count_for_customer(alice) == 0
    assert unread_thread_count_for_customer(bruno) == 1
    post_message(order, body="Another note", actor=Actor.staff(sam), internal=True)
    assert unread_thread_count_for_customer(alice) == 0


@pytest.mark.slow
def test_two_tabs_reading_at_once_leave_one_position_at_the_newest(transactional_db, make_order, alice, sam):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: there is no race to see")
    order = make_order("distributor")
    messages = [post_message(order, body=f"Message {n}", actor=Actor.customer(alice)) for n in range(6)]
    barrier = threading.Barrier(6)

    def read(message_id: int) -> None:
        try:
            barrier.wait()
            mark_thread_read(order, up_to=message_id, actor=Actor.staff(sam))
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=(m.pk,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ThreadRead.objects.get(membership=sam, order=order).last_read_message_id == messages[-1].pk
