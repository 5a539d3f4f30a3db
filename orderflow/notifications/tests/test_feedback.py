"""A customer rates a completed order once: a second rating, even at the same instant, is told
`already_rated` and changes nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.actions import record_feedback
from orderflow.notifications.models import Feedback
from orderflow.orders.actions import transition_order
from orderflow.orders.models import EventType, Order

DOORS_PATH = ("measurements", "design_agreed", "materials_selected", "in_production", "packed", "shipped")


@pytest.fixture
def delivered_doors(make_order, olivia) -> Order:
    shipped = make_order("custom-production", path=DOORS_PATH)
    return transition_order(shipped, to="delivered", actor=Actor.staff(olivia))


def test_a_second_rating_is_told_the_order_is_already_rated(delivered_doors, alice):
    record_feedback(delivered_doors, rating=4, comment="Lovely doors", actor=Actor.customer(alice))

    with pytest.raises(ActionError) as refused:
        record_feedback(delivered_doors, rating=1, comment="Changed my mind", actor=Actor.customer(alice))

    assert refused.value.code == "already_rated"
    assert list(Feedback.objects.values_list("rating", "comment")) == [(4, "Lovely doors")]
    assert delivered_doors.events.filter(type=EventType.FEEDBACK).count() == 1


def test_an_order_that_is_not_done_cannot_be_rated(make_order, alice):
    with pytest.raises(ActionError) as refused:
        record_feedback(make_order("shop"), rating=5, comment="", actor=Actor.customer(alice))
    assert refused.value.code == "not_done"
    assert not Feedback.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_four_ratings_at_once_keep_one_and_tell_the_others(delivered_doors, alice):
    # Given four ratings of one order released at the same instant, each on its own connection
    barrier = threading.Barrier(4)
    results: list[object] = [None] * 4

    def rate(index: int) -> None:
        try:
            barrier.wait()
            order = Order.objects.get(pk=delivered_doors.pk)
            results[index] = record_feedback(
                order, rating=index + 1, comment=f"rating {index}", actor=Actor.customer(alice)
            )
        except Exception as exc:  # anything but ActionError fails the test below, by type
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rate, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then one rating is kept; the three others are refused as already rated, none with another error
    kept = [r for r in results if isinstance(r, Feedback)]
    refused = [r for r in results if isinstance(r, ActionError)]
    assert len(kept) == 1, results
    assert [error.code for error in refused] == ["already_rated"] * 3, results
    assert list(Feedback.objects.values_list("pk", "rating")) == [(kept[0].pk, kept[0].rating)]
    assert delivered_doors.events.filter(type=EventType.FEEDBACK).count() == 1
