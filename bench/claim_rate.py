"""How fast `Worker` claims and completes deliveries when sending costs nothing, on PostgreSQL.

--deliveries pending email deliveries are written with bulk_create (copies of one real status
notification made by `transition_order`), then worker processes forked from this one run
`Worker.run_once()` until nothing is left. Sending is taken out of the picture without touching the
product: in this process, before forking, `orderflow.notifications.worker.transport_class` is patched to a
transport that does nothing and `orderflow.notifications.worker.render` to one that returns a fixed
message (the batch's `render.preload` still runs: two queries per batch). Figures, for 1 and 2 workers:

  full cycle   claim + (no-op) send + the per-delivery result write, as `run_worker` does it;
  claim only   `Worker.claim()` alone, the rows left leased (what the claim path itself can do).
With WORKER_SYNCHRONOUS_COMMIT=false in the environment the workers commit without waiting for the WAL
flush, as run_worker would with that setting.

Run: .venv/bin/python bench/claim_rate.py [--deliveries 50000] [--batch-size 100]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from typing import Any

import common

MODES = ("full", "claim")


class NoopTransport:
    def open(self) -> None:
        pass

    def send(self, item: Any) -> None:
        pass

    def close(self) -> None:
        pass


def _patch() -> None:
    """Sending and rendering cost nothing in this process and the workers forked from it."""
    from orderflow.notifications import worker
    from orderflow.notifications.render import Rendered

    fixed = Rendered(subject="Order #1: In preparation", text="Hello.", html="<p>Hello.</p>", short="Hello.")
    worker.transport_class = lambda kind: NoopTransport  # type: ignore[assignment]
    worker.render = lambda notification, batch=None: fixed  # type: ignore[assignment]


def _run(index: int, mode: str, batch_size: int, go: Any, out: Any) -> None:
    """A forked worker: claim (and send) until nothing is due; report how many and when."""
    from orderflow.notifications.worker import Worker

    worker = Worker(name=f"claim-{index}", batch_size=batch_size)
    go.wait()
    started, done = time.monotonic(), 0
    step = worker.claim if mode == "claim" else worker.run_once
    while True:
        got = step()
        count = len(got) if isinstance(got, list) else got
        if not count:
            break
        done += count
    out.put((done, started, time.monotonic()))
    common.close_connections()


def seed(count: int) -> None:
    """`count` due email deliveries, each on its own copy of a real status notification."""
    from django.utils import timezone

    from orderflow.core.actors import Actor
    from orderflow.notifications.models import Channel, Delivery, Notification
    from orderflow.orders.actions import transition_order

    world = common.build_world(contacts=1, orders=1, progress=False)
    transition_order(world.orders[0], to="in_preparation", actor=Actor.staff(world.staff))
    model = Notification.objects.get(order=world.orders[0], template="status_changed")
    Delivery.objects.all().delete()
    values = {
        f.attname: getattr(model, f.attname) for f in Notification._meta.concrete_fields if not f.primary_key
    }
    now = timezone.now()
    for start in range(0, count, 5000):
        copies = [
            Notification(**{**values, "idempotency_key": f"bench:{i}"})
            for i in range(start, min(count, start + 5000))
        ]
        notifications = Notification.objects.bulk_create(copies, batch_size=1000)
        Delivery.objects.bulk_create(
            (
                Delivery(
                    notification=n,
                    channel=Channel.EMAIL,
                    address=f"reader{start + i}@bench.example",
                    due_at=now,
                    reason="Benchmark delivery.",
                    created_at=now,
                )
                for i, n in enumerate(notifications)
            ),
            batch_size=1000,
        )


def reset() -> None:
    """Every delivery pending again, no attempts, and the tables vacuumed: each run starts alike."""
    from django.db import connection

    from orderflow.notifications.models import Delivery, DeliveryAttempt, Status

    DeliveryAttempt.objects.all().delete()
    Delivery.objects.update(status=Status.PENDING, attempts=0, lease_until=None, worker="", sent_at=None)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE notifications_delivery, notifications_deliveryattempt")


def measure(mode: str, workers: int, batch_size: int, expected: int) -> dict[str, float]:
    reset()
    database = common.database_name(common.database_url())
    commits_before = _commits(database)
    ctx = mp.get_context("fork")
    go, out = ctx.Event(), ctx.Queue()
    common.close_connections()  # the children must not share this process's connection
    children = [
        ctx.Process(target=_run, args=(i, mode, batch_size, go, out), daemon=True) for i in range(workers)
    ]
    meter = common.CpuMeter(
        {
            "workers": lambda: [c.pid for c in children if c.pid],
            "PostgreSQL": lambda: common.postgres_backends(database),
        }
    )
    try:
        for child in children:
            child.start()
        time.sleep(0.5)  # let them import and connect before the clock starts
        meter.start()
        go.set()
        results = [out.get(timeout=900) for _ in children]
    finally:
        for child in children:
            child.join(10)
            if child.is_alive():
                child.kill()
    cpu = meter.stop()
    time.sleep(0.6)  # the workers' backends report their counts as they exit
    commits = _commits(database) - commits_before
    common.close_connections()
    done = sum(r[0] for r in results)
    if done != expected:
        raise RuntimeError(f"{mode}: {done} deliveries handled, expected {expected}")
    if mode != "claim":  # every delivery recorded as sent, with one attempt
        from orderflow.notifications.models import Delivery, DeliveryAttempt, Status

        sent, attempts = Delivery.objects.filter(status=Status.SENT).count(), DeliveryAttempt.objects.count()
        if sent != expected or attempts != expected:
            raise RuntimeError(f"{mode}: {sent} sent and {attempts} attempts for {expected} deliveries")
    elapsed = max(r[2] for r in results) - min(r[1] for r in results)
    return {
        "count": done,
        "seconds": elapsed,
        "per_s": done / elapsed,
        "cpu_workers_us": cpu["workers"] / done * 1e6,
        "cpu_postgres_us": cpu["PostgreSQL"] / done * 1e6,
        "commits_per_100": commits / done * 100,
    }


def _commits(database: str) -> int:
    """Transactions committed in the benchmark database so far (PostgreSQL's statistics)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [database])
        return int(cursor.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=50_000, help="pending deliveries (default 50000)")
    parser.add_argument("--batch-size", type=int, default=100, help="Worker batch_size (default 100)")
    parser.add_argument("--workers", default="1,2", help="worker counts to try (default 1,2)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"of {', '.join(MODES)} (default all)")
    parser.add_argument("--keep-db", action="store_true", help="leave the benchmark database behind")
    parser.add_argument("--timeout", type=int, default=1800, help="give up after this many seconds")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    modes = [m for m in args.modes.split(",") if m]
    if set(modes) - set(MODES):
        parser.error(f"modes are {', '.join(MODES)}")
    url = common.database_url()
    print(f"claim_rate on {common.machine()}, load average {os.getloadavg()[0]:.2f}; database {url}")
    rows: list[tuple[str, str]] = []
    try:
        with common.time_limit(args.timeout, "claim_rate"):
            common.setup_django(url)
            _patch()
            print(f"writing {args.deliveries} pending deliveries ...", flush=True)
            seed(args.deliveries)
            for mode in modes:
                for n in counts:
                    print(f"{mode}, {n} worker(s) ...", flush=True)
                    result = measure(mode, n, args.batch_size, args.deliveries)
                    label = {
                        "full": "full cycle (claim, no-op send, per-row result)",
                        "claim": "claim only (Worker.claim)",
                    }[mode]
                    rows.append(
                        (
                            f"{label}, {n} worker(s)",
                            f"{result['per_s']:8.0f} /s  ({result['seconds']:.1f} s); CPU per delivery: "
                            f"workers {result['cpu_workers_us']:.0f} us, PostgreSQL "
                            f"{result['cpu_postgres_us']:.0f} us; commits per 100: "
                            f"{result['commits_per_100']:.0f}",
                        )
                    )
    finally:
        if not args.keep_db:
            common.drop_database(url)
    rows.append(("target", "  >= 10000 /s"))
    synchronous = (
        "off"
        if os.environ.get("WORKER_SYNCHRONOUS_COMMIT", "").lower() in ("0", "false", "no", "off")
        else "on"
    )
    common.table(
        f"Deliveries per second, no-op transport, {args.deliveries} deliveries, batch {args.batch_size}, "
        f"synchronous_commit {synchronous}",
        rows,
    )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
