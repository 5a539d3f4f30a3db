"""Latency from the commit of an order change to the worker's first attempt at its message, on PostgreSQL.

One `manage.py run_worker` process runs idle (it LISTENs for the NOTIFY each change sends on commit) and
sends to an aiosmtpd sink in its own process. This process makes --changes changes one at a time
(`transition_order`, each in its own transaction, a random pause of --pause-ms between them); for each
it notes the wall-clock time right after the commit, before the change's NOTIFY goes out.
Latency = DeliveryAttempt.started_at of the message's first attempt minus that time (also shown: minus
OrderEvent.created_at, which includes the action's own work). Both are this machine's wall clock.

Run: .venv/bin/python bench/latency.py [--changes 300] [--pause-ms 10-100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import common


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    rank = max(1, min(len(values), round(share * len(values) + 0.5)))
    return values[rank - 1]


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    parts = [
        f"p50 {percentile(ordered, 0.50):6.1f}",
        f"p95 {percentile(ordered, 0.95):6.1f}",
        f"p99 {percentile(ordered, 0.99):6.1f}",
        f"max {ordered[-1]:6.1f}",
    ]
    return "  ".join(parts) + " ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--changes", type=int, default=300, help="changes, one at a time (default 300)")
    parser.add_argument("--pause-ms", default="10-100", help="random pause between changes (default 10-100)")
    parser.add_argument("--seed", type=int, default=3, help="random seed for the pauses")
    parser.add_argument("--keep-db", action="store_true", help="leave the benchmark database behind")
    parser.add_argument("--timeout", type=int, default=600, help="give up after this many seconds")
    args = parser.parse_args()
    low, high = (int(ms) for ms in args.pause_ms.split("-"))
    pauses = random.Random(args.seed)
    url = common.database_url()
    print(f"latency on {common.machine()}, load average {os.getloadavg()[0]:.2f}; database {url}")

    sink = common.SmtpSink().start()
    workers = common.Workers(url, sink.port, Path(tempfile.mkdtemp(prefix="orderflow-bench-")))
    try:
        with common.time_limit(args.timeout, "latency"):
            common.setup_django(url, smtp_port=sink.port)
            from django.db import transaction
            from django.db.models import Min
            from django.utils import timezone

            from orderflow.core.actors import Actor
            from orderflow.notifications.models import Delivery
            from orderflow.orders.actions import transition_order

            world = common.build_world(contacts=20, orders=args.changes, progress=False)
            actor = Actor.staff(world.staff)
            common.close_connections()
            workers.start(1)
            workers.wait_running()
            time.sleep(1.0)  # idle: its first empty claim done, waiting on LISTEN
            committed: dict[int, dt.datetime] = {}
            print(f"{args.changes} changes, one at a time ...", flush=True)
            for order in world.orders:
                time.sleep(pauses.uniform(low, high) / 1000)
                with transaction.atomic():
                    # Runs first after the commit, before the NOTIFY the change registered.
                    transaction.on_commit(lambda pk=order.pk: committed.__setitem__(pk, timezone.now()))
                    transition_order(order, to="in_preparation", actor=actor)
            if not sink.wait_for(args.changes, timeout=60, alive=workers.alive):
                raise RuntimeError(f"only {sink.count} of {args.changes} messages arrived\n{workers.logs()}")
            # The last attempt is written just after the server accepted its message: wait for it.
            from orderflow.notifications.models import DeliveryAttempt

            attempts = DeliveryAttempt.objects.filter(delivery__notification__order__in=list(committed))
            deadline = time.monotonic() + 10
            while attempts.count() < args.changes and time.monotonic() < deadline:
                time.sleep(0.05)
            rows = (
                Delivery.objects.filter(notification__order__in=list(committed))
                .values("notification__order", "notification__event__created_at")
                .annotate(first=Min("attempt_log__started_at"))
            )
            from_commit, from_event = [], []
            for row in rows:
                first = row["first"]
                from_commit.append((first - committed[row["notification__order"]]).total_seconds() * 1000)
                from_event.append((first - row["notification__event__created_at"]).total_seconds() * 1000)
            if len(from_commit) != args.changes:
                raise RuntimeError(f"{len(from_commit)} first attempts for {args.changes} changes")
    finally:
        workers.stop()
        sink.stop()
        if not args.keep_db:
            common.drop_database(url)

    common.table(
        f"Latency to the first attempt, 1 idle worker, {args.changes} changes, pauses {args.pause_ms} ms",
        [
            ("commit -> first attempt", summary(from_commit)),
            ("OrderEvent.created_at -> first attempt", summary(from_event)),
            ("target", "p95 < 50 ms"),
        ],
    )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
