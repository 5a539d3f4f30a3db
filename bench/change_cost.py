"""What one order change costs on PostgreSQL: SQL statements, CPU in this process, CPU in its PostgreSQL
backend, per `transition_order`, with no worker running (the changes alone).

The world is notify_e2e's: a shop seller, 50 customers with one email contact each whose hours cover the
whole day, N orders placed without notifications. Then N changes like notify_e2e's pipelined ones (a staff
member moves each order to in_preparation; the rule tells the ordering contact by email), one at a time in
this process. The first --warm-up changes are not counted. Statements are counted with Django's
execute_wrapper (every statement sent, including the NOTIFY after the commit); CPU is time.process_time()
of this process and utime + stime of its PostgreSQL backend read from /proc.

Run: .venv/bin/python bench/change_cost.py [--changes 500] [--show] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import Counter
from typing import Any

import common

TARGET = "in_preparation"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--changes", type=int, default=500, help="measured changes (default 500)")
    parser.add_argument(
        "--warm-up", type=int, default=50, help="changes made first, not counted (default 50)"
    )
    parser.add_argument("--show", action="store_true", help="print the statements of one change")
    parser.add_argument("--profile", action="store_true", help="cProfile the measured changes (slower)")
    parser.add_argument("--keep-db", action="store_true", help="leave the benchmark database behind")
    parser.add_argument("--timeout", type=int, default=900, help="give up after this many seconds")
    args = parser.parse_args()
    url = common.database_url()
    print(f"change_cost on {common.machine()}, load average {_load()}; database {url}")
    try:
        with common.time_limit(args.timeout, "change_cost"):
            common.setup_django(url)
            total = args.warm_up + args.changes
            print(f"placing {total} orders through place_order ...", flush=True)
            world = common.build_world(contacts=50, orders=total)
            result = measure(world, args.warm_up, args.changes, show=args.show, profile=args.profile)
    finally:
        if not args.keep_db:
            common.drop_database(url)
    common.table(
        f"transition_order to {TARGET}, one contact told by email: {args.changes} changes",
        [
            ("statements per change", f"{result['statements']:6.2f}"),
            ("CPU per change, this process", f"{result['process_ms']:6.2f} ms"),
            ("CPU per change, its PostgreSQL backend", f"{result['backend_ms']:6.2f} ms"),
            ("wall time per change", f"{result['wall_ms']:6.2f} ms"),
            ("changes per second, one process", f"{1000 / result['wall_ms']:6.0f} /s"),
        ],
    )
    print("statements by kind per change: " + ", ".join(f"{k} {v:.2f}" for k, v in result["kinds"].items()))
    print(f"load average at the end {_load()}")


def measure(world: common.World, warm_up: int, changes: int, *, show: bool, profile: bool) -> dict[str, Any]:
    from django.db import connection

    from orderflow.accounts.models import Membership
    from orderflow.core.actors import Actor
    from orderflow.notifications.models import Delivery
    from orderflow.orders.actions import transition_order
    from orderflow.orders.models import Order

    actor = Actor.staff(Membership.objects.select_related("user").get(pk=world.staff.pk))
    orders = list(Order.objects.filter(pk__in=[o.pk for o in world.orders]).order_by("pk"))
    for order in orders[:warm_up]:
        transition_order(order, to=TARGET, actor=actor)
    measured = orders[warm_up : warm_up + changes]
    if show:
        shown: list[str] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            shown.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            transition_order(measured[0], to=TARGET, actor=actor)
        print(f"\nthe {len(shown)} statements of one change:")
        for sql in shown:
            print(f"  {sql[:160]}")
        measured = measured[1:]
    kinds: Counter[str] = Counter()

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        kinds[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    sent_before = Delivery.objects.count()
    backend_before = common._cpu_seconds(backend) or 0.0
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    # CPU time, not wall time: waiting for PostgreSQL is not this process's cost
    profiler = cProfile.Profile(time.process_time) if profile else None
    with connection.execute_wrapper(count):
        if profiler is not None:
            profiler.enable()
        for order in measured:
            transition_order(order, to=TARGET, actor=actor)
        if profiler is not None:
            profiler.disable()
    cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
    backend_cpu = (common._cpu_seconds(backend) or 0.0) - backend_before
    written = Delivery.objects.count() - sent_before
    if written != len(measured):
        raise SystemExit(f"expected one delivery per change, found {written} for {len(measured)} changes")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    n = len(measured)
    return {
        "statements": sum(kinds.values()) / n,
        "kinds": {k: v / n for k, v in kinds.most_common()},
        "process_ms": cpu / n * 1000,
        "backend_ms": backend_cpu / n * 1000,
        "wall_ms": wall / n * 1000,
    }


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
