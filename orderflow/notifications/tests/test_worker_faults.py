"""The worker under fire: two `run_worker` processes send thousands of emails to a local SMTP server
while one of them is killed (SIGKILL) and restarted again and again. Counting Message-IDs at the
server proves that nothing is lost, and that a message arrives twice only when a kill cut a worker
off between the server accepting it and the worker recording it (exactly once over SMTP cannot be
had; the repeated copy carries the same Message-ID, so the receiver can drop it)."""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter

import pytest

from orderflow.notifications.models import Delivery, DeliveryAttempt, Status
from orderflow.notifications.tests.conftest import wait_for

TOTAL = 3000
LEASE_SECONDS = 5
# Kill while at most this share of the messages has arrived, so the kills land in the middle of the run.
KILL_UNTIL_SHARE = 0.85
KILL_BUDGET_SECONDS = 12
STARTUP_SECONDS = 0.8  # a process younger than this is still loading Django: killing it proves nothing
Outcome = DeliveryAttempt.Outcome


@pytest.mark.django_db(transaction=True)
def test_killed_workers_lose_nothing_and_repeat_only_what_a_kill_cut_off(
    bulk_emails, smtp_sink, start_worker, record_property
):
    # Given thousands of due emails, committed, and two workers sending them
    deliveries = bulk_emails(TOTAL)
    expected = {d.message_id: d.pk for d in deliveries}
    seed = int(os.environ.get("FAULT_TEST_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    options = ("--batch-size", "50", "--lease-seconds", str(LEASE_SECONDS))
    began = time.monotonic()
    workers = [start_worker(*options, smtp_port=smtp_sink.port) for _ in range(2)]
    born = [began, began]

    # When one of them is killed at random moments and restarted, over and over
    kills: list[float] = []
    while smtp_sink.count() < TOTAL * KILL_UNTIL_SHARE and time.monotonic() - began < KILL_BUDGET_SECONDS:
        time.sleep(rng.uniform(0.3, 1.0))
        grown = [i for i in range(2) if time.monotonic() - born[i] >= STARTUP_SECONDS]
        if not grown:
            continue
        victim = rng.choice(grown)
        process = workers[victim].process
        assert process.poll() is None, workers[victim].output()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        kills.append(time.monotonic())
        workers[victim] = start_worker(*options, smtp_port=smtp_sink.port)
        born[victim] = time.monotonic()

    killing = time.monotonic() - began

    # Then, left alone, they finish the run, and stop cleanly when asked
    finished = wait_for(lambda: not Delivery.objects.exclude(status=Status.SENT).exists(), timeout=60)
    elapsed = time.monotonic() - began
    for worker in workers:
        worker.process.send_signal(signal.SIGTERM)
    for worker in workers:
        assert worker.process.wait(timeout=15) == 0, worker.output()
    left = Counter(Delivery.objects.values_list("status", flat=True))
    assert finished, f"not all sent after {elapsed:.1f} s: {dict(left)}"

    arrived = smtp_sink.ids()
    duplicated = {message_id: n for message_id, n in arrived.items() if n > 1}
    duplicates = sum(n - 1 for n in duplicated.values())
    figures = {
        "seed": seed,
        "deliveries": TOTAL,
        "kills": len(kills),
        "arrived": sum(arrived.values()),
        "duplicates": duplicates,
        "seconds": round(elapsed, 1),
        "seconds_killing": round(killing, 1),
        "reclaimed": DeliveryAttempt.objects.filter(outcome=Outcome.INTERRUPTED).count(),
    }
    record_property("fault_test", figures)
    print(f"\nfault test: {figures}")

    # None lost: every delivery's Message-ID reached the server, and nothing else did
    assert set(arrived) == set(expected)
    # Every delivery is sent exactly once in the database, by exactly one recorded attempt
    assert left == {Status.SENT: TOTAL}
    sent_attempts = Counter(
        DeliveryAttempt.objects.filter(outcome=Outcome.SENT).values_list("delivery_id", flat=True)
    )
    assert set(sent_attempts.values()) == {1}
    assert len(sent_attempts) == TOTAL
    # The run was really interrupted
    assert len(kills) >= 5
    assert figures["reclaimed"] > 0
    # A message arrived twice only when a kill fell between its two arrivals, at most one per kill,
    # and only for a delivery that was taken back from a killed worker
    assert duplicates <= len(kills)
    assert set(duplicated.values()) <= {2}
    interrupted = set(
        DeliveryAttempt.objects.filter(outcome=Outcome.INTERRUPTED).values_list("delivery_id", flat=True)
    )
    times: dict[str, list[float]] = {}
    for received in smtp_sink.messages:
        times.setdefault(received.message_id, []).append(received.at)
    for message_id in duplicated:
        first, second = times[message_id]
        assert any(first <= kill <= second for kill in kills), message_id
        assert expected[message_id] in interrupted, message_id
