"""Waking and claiming when several workers run: a change wakes one worker of the lanes it wrote to (one
NOTIFY per transaction), the others wait for their turn; two workers claiming at once never take the
same delivery; a batch claim takes everything due up to its size."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import close_old_connections, connection, transaction

from orderflow.core.actors import Actor
from orderflow.notifications.models import Delivery, Status
from orderflow.notifications.outbox import _Wake, lane_channel, wake_worker_on_commit
from orderflow.notifications.worker import Worker
from orderflow.orders.actions import transition_order

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="LISTEN/NOTIFY and advisory locks are PostgreSQL's"
)


def _notify(channel: str) -> None:
    """A NOTIFY from another session, committed at once (the test's own transaction never commits)."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_notify(%s, '')", [channel])


@postgres_only
def test_a_transaction_sends_one_notify_for_all_the_lanes_it_wrote_to(make_order, olivia):
    # Given a transaction that writes deliveries in two changes, to two lanes
    with transaction.atomic():
        wake_worker_on_commit(["people"])
        wake_worker_on_commit(["people"])
        wake_worker_on_commit(["webhooks"])
        # Then one callback waits for the commit, naming both lanes once
        wakes = [pending[1] for pending in connection.run_on_commit if isinstance(pending[1], _Wake)]
        assert len(wakes) == 1
        assert wakes[0].channels == {lane_channel("people"), lane_channel("webhooks")}


@postgres_only
def test_an_order_change_wakes_only_the_lanes_of_what_it_wrote(make_order, olivia):
    # Given a shop order whose rule tells its customer by email; the seller has no webhook endpoint
    order = make_order("shop")
    # When it changes
    transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    # Then the NOTIFY that goes out once it commits is for the people's lane only (no webhook endpoint)
    [wake] = [pending[1] for pending in connection.run_on_commit if isinstance(pending[1], _Wake)]
    assert wake.channels == {lane_channel("people")}


@postgres_only
def test_only_the_worker_whose_turn_it_is_waits_for_a_notify(db):
    # Given two workers of the people's lane, listening
    first, second = Worker(name="first", lane="people"), Worker(name="second", lane="people")
    for worker in (first, second):
        worker._listen()
    try:
        # The first takes the waiting turn; the second cannot while the first holds it
        assert first._take_waiting_turn(time.monotonic() + 5)
        assert not second._take_waiting_turn(time.monotonic() + 0.3)

        # When a change is announced, the first wakes (its turn kept: its claims were short)
        _notify(lane_channel("people"))
        assert first._wait(5)
        assert first._waiting_turn

        # And when the first hands its turn on (a full batch), the second takes it and is woken by the
        # NOTIFY that queued for it meanwhile, so nothing announced is missed
        first._give_up_waiting()
        assert second._wait(2)
        assert second._waiting_turn
        # A webhook NOTIFY wakes no worker of the people's lane
        _notify(lane_channel("webhooks"))
        assert not second._wait(0.5)
    finally:
        for worker in (first, second):
            worker._unlisten()


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_take_the_same_delivery(bulk_emails):
    # Given 400 due emails
    deliveries = bulk_emails(400)
    taken: dict[str, list[int]] = {"a": [], "b": []}
    go = threading.Barrier(2)

    def claim_all(name: str) -> None:
        worker = Worker(name=name, batch_size=25, lane="people")
        try:
            go.wait()
            while claimed := worker.claim():
                taken[name] += [d.pk for d in claimed]
        finally:
            close_old_connections()
            connection.close()

    # When two workers claim batches side by side until nothing is left
    threads = [threading.Thread(target=claim_all, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # Then every delivery was claimed exactly once, under the worker that took it
    a, b = taken["a"], taken["b"]
    assert len(a) == len(set(a))
    assert len(b) == len(set(b))
    assert not set(a) & set(b)
    assert set(a) | set(b) == {d.pk for d in deliveries}
    holders = dict(Delivery.objects.values_list("pk", "worker"))
    assert all(holders[pk] == "a" for pk in a)
    assert all(holders[pk] == "b" for pk in b)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.SENDING}


@pytest.mark.django_db(transaction=True)
def test_a_batch_claim_takes_everything_due_up_to_its_size(bulk_emails):
    # Given 30 due emails
    bulk_emails(30)
    # When one worker with room for 100 claims
    claimed = Worker(name="one", batch_size=100).claim()
    # Then it has all of them in one claim, and nothing is left for another
    assert len(claimed) == 30
    assert Worker(name="other").claim() == []
