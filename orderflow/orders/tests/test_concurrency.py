"""Two staff members acting on one order at the same moment: exactly one change wins, the other is told."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.orders.actions import cancel_order, transition_order
from orderflow.orders.models import EventType, Order

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*attempts: Callable[[], object]) -> list[object]:
    """Run the attempts in threads released together; return each one's result or ActionError."""
    barrier = threading.Barrier(len(attempts))
    results: list[object] = [None] * len(attempts)

    def run(index: int, attempt: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = attempt()
        except ActionError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_two_racing_changes_from_the_same_version_exactly_one_wins(round_, make_order, sam, olivia):
    order = make_order("shop")
    opened = order.version

    results = _race(
        lambda: transition_order(Order.objects.get(pk=order.pk), to="in_preparation", actor=Actor.staff(sam),
                                 expected_version=opened),
        lambda: cancel_order(Order.objects.get(pk=order.pk), actor=Actor.staff(olivia), reason="Duplicate",
                             expected_version=opened),
    )  # fmt: skip

    winners = [r for r in results if isinstance(r, Order)]
    losers = [r for r in results if isinstance(r, ActionError)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert losers[0].code == "stale"
    order.refresh_from_db()
    assert order.state == winners[0].state
    assert order.version == opened + 1
    assert order.events.exclude(type=EventType.PLACED).count() == 1


def test_two_racing_identical_moves_without_a_version_happen_once(make_order, sam, olivia):
    order = make_order("shop")

    results = _race(
        *(
            lambda who=who: transition_order(Order.objects.get(pk=order.pk), to="in_preparation",
                                             actor=Actor.staff(who))
            for who in (sam, olivia)
        )
    )  # fmt: skip

    assert sum(isinstance(r, Order) for r in results) == 1
    [loser] = [r for r in results if isinstance(r, ActionError)]
    assert loser.code == "invalid_transition"
    assert order.events.filter(type=EventType.TRANSITIONED).count() == 1
