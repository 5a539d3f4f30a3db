"""The worker under fire: two `run_worker` processes send 2,000 emails to a local SMTP server while
they are killed (SIGKILL) and restarted at least 50 times, with 5-second leases. Counting Message-IDs
at the server proves that nothing is lost, that a message arrives twice only when a kill cut a worker
off between the server accepting it and the worker recording it (exactly once over SMTP cannot be
had; the repeated copy carries the same Message-ID, so the receiver can drop it), and that a kill
charges an interrupted attempt to at most the one delivery being sent, never to the rest of the batch.

The mail server answers slowly while the killing goes on, so that the kills all land while there is
still work in hand, then at full speed."""

from __future__ import annotations

import itertools
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable

import pytest

from orderflow.notifications.models import Delivery, DeliveryAttempt, Status

TOTAL = 2000
LEASE_SECONDS = 5
KILLS = 50
# While killing, each message takes the server this long (two workers: about 25 a second in all).
SLOW_SECONDS = 0.04
# Stop killing (and fail) if this share has arrived before KILLS kills: the run would prove too little.
KILL_UNTIL_SHARE = 0.9
# After the kills, the workers must finish: the test fails when nothing more is sent for this long (a
# stalled run), not after a fixed time, which a busy machine (a CI runner's neighbours) can overrun.
STALL_SECONDS = 20
FINISH_CAP_SECONDS = 600
Outcome = DeliveryAttempt.Outcome


@pytest.mark.slow
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
    smtp_sink.delay = SLOW_SECONDS
    began = time.monotonic()
    names = iter(f"fault-{n}" for n in range(1000))
    workers = [start_worker(*options, smtp_port=smtp_sink.port, name=next(names)) for _ in range(2)]

    # When they are killed at random moments and restarted, over and over
    kills: list[float] = []
    while len(kills) < KILLS and smtp_sink.count() < TOTAL * KILL_UNTIL_SHARE:
        time.sleep(rng.uniform(0.05, 0.4))
        # Only a worker in the middle of a batch (its lanes are named after it): one still loading
        # Django (slow on a busy machine) holds nothing, and killing it would prove nothing
        busy = {
            holder.split("/")[0]
            for holder in Delivery.objects.filter(status=Status.SENDING).values_list("worker", flat=True)
        }
        working = [i for i in range(2) if workers[i].name in busy]
        if not working:
            continue
        victim = rng.choice(working)
        process = workers[victim].process
        assert process.poll() is None, workers[victim].output()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        kills.append(time.monotonic())
        workers[victim] = start_worker(*options, smtp_port=smtp_sink.port, name=next(names))

    killing = time.monotonic() - began
    smtp_sink.delay = 0

    # Then, left alone, they finish the run, and stop cleanly when asked
    finished = _wait_while_progressing(lambda: Delivery.objects.exclude(status=Status.SENT).count())
    elapsed = time.monotonic() - began
    for worker in workers:
        worker.process.send_signal(signal.SIGTERM)
    for worker in workers:
        assert worker.process.wait(timeout=15) == 0, worker.output()
    left = Counter(Delivery.objects.values_list("status", flat=True))
    why = Counter(Delivery.objects.exclude(status=Status.SENT).values_list("error", flat=True))
    trail = [
        (a.delivery_id, a.outcome, a.worker, a.started_at.isoformat(timespec="milliseconds"), a.error[:60])
        for a in DeliveryAttempt.objects.exclude(delivery__status=Status.SENT).order_by("delivery", "pk")[:40]
    ]
    assert finished, (
        f"not all sent after {elapsed:.1f} s: {dict(left)}; errors: {why.most_common(3)}; kills at "
        f"{[round(k - began, 2) for k in kills]}; attempts of what was not sent: {trail}"
    )

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
    # The run was really interrupted, and each kill charged at most the one delivery it cut off (none
    # when it landed between a claim and the first send, as it often does on a loaded machine)
    assert len(kills) >= KILLS, figures
    assert figures["reclaimed"] <= len(kills), figures
    # A message arrived twice only when a kill fell between its two arrivals, at most one per kill,
    # and only for a delivery that was taken back from a killed worker
    # (a message can be cut off by two kills: the worker that takes it over first may be killed too)
    assert duplicates <= len(kills)
    interrupted = Counter(
        DeliveryAttempt.objects.filter(outcome=Outcome.INTERRUPTED).values_list("delivery_id", flat=True)
    )
    times: dict[str, list[float]] = {}
    for received in smtp_sink.messages:
        times.setdefault(received.message_id, []).append(received.at)
    for message_id, copies in duplicated.items():
        arrivals = sorted(times[message_id])
        for earlier, later in itertools.pairwise(arrivals):
            assert any(earlier <= kill <= later for kill in kills), message_id
        assert interrupted[expected[message_id]] >= copies - 1, message_id


def _wait_while_progressing(remaining: Callable[[], int]) -> bool:
    """Wait until nothing remains; give up when the count stops falling for STALL_SECONDS."""
    cap = time.monotonic() + FINISH_CAP_SECONDS
    last, moved = remaining(), time.monotonic()
    while last and time.monotonic() < cap and time.monotonic() - moved < STALL_SECONDS:
        time.sleep(0.1)
        left = remaining()
        if left < last:
            last, moved = left, time.monotonic()
    return not last
