"""Notifications per second from an order change to a message accepted by SMTP, end to end, on PostgreSQL
with `manage.py run_worker` processes sending to an aiosmtpd sink in its own process; beside it, the
ceiling: a plain smtplib loop sending as many similar messages over one connection to the same sink.

Each change is `transition_order` by a staff member on a shop order whose rule tells the ordering contact
by email; every contact's hours cover the whole day, so each message is due at once. Two figures:

  pipelined  changes made by --producers processes while the workers run: from the first change to the
             last message accepted by the sink (the change rate can be the limit; it is printed too);
  backlog    --changes changes committed in one transaction, then delivered by the warm, idle workers:
             from that commit to the last message accepted (the delivery side alone).

For each, the CPU time the parts used per message (read from /proc): the processes making the changes,
the workers, the PostgreSQL backends of the benchmark database, the SMTP sink. The workers take their
settings from the environment (e.g. WORKER_SYNCHRONOUS_COMMIT=false).

Run: .venv/bin/python bench/notify_e2e.py [--changes 2000] [--workers 2] [--producers 1] [--batch-size 100]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import smtplib
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any

import common

FIRST, SECOND = "in_preparation", "ready_for_pickup"
# Issue 15's targets for the pipelined run, measured against the ceiling of the same run.
RATIO_TARGET = 0.25
CPU_TARGET_MS = 8.0


def _produce(order_ids: list[int], staff_id: int, ready: Any, go: Any, out: Any) -> None:
    """A producer process (forked): make its share of the changes, report when the last one committed."""
    from orderflow.accounts.models import Membership
    from orderflow.core.actors import Actor
    from orderflow.orders.actions import transition_order
    from orderflow.orders.models import Order

    actor = Actor.staff(Membership.objects.select_related("user").get(pk=staff_id))
    orders = list(Order.objects.filter(pk__in=order_ids).order_by("pk"))
    ready.set()
    go.wait()
    for order in orders:
        transition_order(order, to=FIRST, actor=actor)
    out.put((len(orders), time.monotonic()))
    common.close_connections()


def _meter(url: str, sink: common.SmtpSink, workers: common.Workers, changers: list[int]) -> common.CpuMeter:
    database = common.database_name(url)
    return common.CpuMeter(
        {
            "making changes": lambda: changers,
            "workers": workers.pids,
            "PostgreSQL": lambda: common.postgres_backends(database),
            "SMTP sink": lambda: [sink.process.pid] if sink.process.pid else [],
        }
    )


def pipelined(url: str, world: common.World, sink: common.SmtpSink, workers: common.Workers, n: int) -> dict:
    """`n` producer processes make the changes while the workers deliver them."""
    ctx = mp.get_context("fork")
    ids = [order.pk for order in world.orders]
    shares = [ids[i::n] for i in range(n)]
    go, out = ctx.Event(), ctx.Queue()
    readies = [ctx.Event() for _ in shares]
    common.close_connections()  # children must not share this process's connections or pool
    children = [
        ctx.Process(target=_produce, args=(share, world.staff.pk, ready, go, out), daemon=True)
        for share, ready in zip(shares, readies, strict=True)
    ]
    try:
        for child in children:
            child.start()
        for ready in readies:
            if not ready.wait(60):
                raise RuntimeError("a producer did not get ready")
        meter = _meter(url, sink, workers, [c.pid for c in children if c.pid]).start()
        sink.reset()
        started = time.monotonic()
        go.set()
        results = [out.get(timeout=600) for _ in children]
        committed = max(at for _, at in results)
        delivered = sink.wait_for(len(ids), timeout=600, alive=workers.alive)
        cpu = meter.stop()
    finally:
        for child in children:
            child.join(10)
            if child.is_alive():
                child.kill()
    if not delivered:
        raise RuntimeError(f"only {sink.count} of {len(ids)} messages arrived\n{workers.logs()}")
    return {
        "count": len(ids),
        "changes_per_s": len(ids) / (committed - started),
        "per_s": len(ids) / (sink.last_at - started),
        "first_ms": (sink.first_at - started) * 1000,
        "cpu": cpu,
    }


def backlog(url: str, world: common.World, sink: common.SmtpSink, workers: common.Workers) -> dict:
    """All changes committed together; the idle workers wake on the commit's NOTIFY and deliver them."""
    from django.db import transaction

    from orderflow.core.actors import Actor
    from orderflow.orders.actions import transition_order
    from orderflow.orders.models import Order

    actor = Actor.staff(world.staff)
    orders = list(Order.objects.filter(pk__in=[o.pk for o in world.orders]).order_by("pk"))
    meter = _meter(url, sink, workers, [])
    sink.reset()
    timings: dict[str, float] = {}

    def committed() -> None:
        timings["committed"] = time.monotonic()
        meter.start()

    with transaction.atomic():
        # Registered first, so it runs right after the commit, before the changes' wake-ups.
        transaction.on_commit(committed)
        for order in orders:
            transition_order(order, to=SECOND, actor=actor)
    if not sink.wait_for(len(orders), timeout=600, alive=workers.alive):
        raise RuntimeError(f"only {sink.count} of {len(orders)} messages arrived\n{workers.logs()}")
    cpu = meter.stop()
    return {
        "count": len(orders),
        "per_s": len(orders) / (sink.last_at - timings["committed"]),
        "first_ms": (sink.first_at - timings["committed"]) * 1000,
        "cpu": cpu,
    }


def ceiling(sink: common.SmtpSink, count: int) -> dict:
    """A plain smtplib loop over one connection: messages like the workers' (a real rendered status
    message as text and HTML, a unique Message-ID each), built beforehand so only sending is timed."""
    from orderflow.notifications.models import Delivery, Status
    from orderflow.notifications.render import render

    delivery = Delivery.objects.filter(status=Status.SENT).select_related("notification").first()
    assert delivery is not None, "no message was sent"
    rendered = render(delivery.notification)
    messages = []
    for i in range(count):
        message = EmailMessage()
        message["Subject"] = rendered.subject
        message["From"] = formataddr(("Bench Grocer", "orders@orderflow.invalid"))
        message["To"] = f"resident{i}@bench.example"
        message["Message-ID"] = make_msgid(f"ceiling-{i}", domain="orderflow.invalid")
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))  # SMTP wants CRLF
        messages.append((message["To"], raw))
    sink.reset()
    with smtplib.SMTP(common.LOOPBACK, sink.port, timeout=10) as smtp:
        started = time.monotonic()
        for to, raw in messages:
            smtp.sendmail("orders@orderflow.invalid", [to], raw)
        elapsed = time.monotonic() - started
    assert sink.count == count, f"the sink took {sink.count} of {count}"
    return {"count": count, "per_s": count / elapsed, "bytes": sum(len(raw) for _, raw in messages) // count}


def cpu_row(result: dict) -> str:
    """CPU milliseconds per message, by part."""
    parts = [(name, seconds * 1000 / result["count"]) for name, seconds in result["cpu"].items()]
    total = sum(ms for _, ms in parts)
    return f"{total:.1f} ms = " + ", ".join(f"{name} {ms:.1f}" for name, ms in parts if ms >= 0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--changes", type=int, default=2000, help="order changes per scenario (default 2000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--producers", type=int, default=1, help="processes making changes (default 1)")
    parser.add_argument("--batch-size", type=int, default=100, help="worker batch size (default 100)")
    parser.add_argument("--keep-db", action="store_true", help="leave the benchmark database behind")
    parser.add_argument("--timeout", type=int, default=1200, help="give up after this many seconds")
    args = parser.parse_args()
    url = common.database_url()
    loaded = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"notify_e2e on {common.machine()}, load average {loaded}; database {url}")

    sink = common.SmtpSink().start()
    log_dir = Path(tempfile.mkdtemp(prefix="orderflow-bench-"))
    workers = common.Workers(url, sink.port, log_dir)
    try:
        with common.time_limit(args.timeout, "notify_e2e"):
            common.setup_django(url, smtp_port=sink.port)
            print(f"placing {args.changes} orders through place_order ...", flush=True)
            world = common.build_world(contacts=50, orders=args.changes)
            common.close_connections()
            workers.start(args.workers, batch_size=args.batch_size)
            workers.wait_running()
            print(f"pipelined: {args.changes} changes by {args.producers} producer(s) ...", flush=True)
            first = pipelined(url, world, sink, workers, args.producers)
            time.sleep(1)
            print(f"backlog: {args.changes} changes in one commit ...", flush=True)
            second = backlog(url, world, sink, workers)
            workers.stop()
            print(f"ceiling: plain smtplib loop, {args.changes} messages ...", flush=True)
            top = ceiling(sink, args.changes)
    finally:
        workers.stop()
        sink.stop()
        if not args.keep_db:
            common.drop_database(url)

    ratio = first["per_s"] / top["per_s"]
    pipelined_cpu = sum(first["cpu"].values()) * 1000 / first["count"]
    cpu_met = _met(pipelined_cpu <= CPU_TARGET_MS)
    kind = "run_worker processes"
    if os.environ.get("WORKER_SYNCHRONOUS_COMMIT", "").lower() in ("0", "false", "no", "off"):
        kind += " (synchronous_commit off)"
    common.table(
        f"Order change -> accepted by SMTP: {args.workers} {kind}, batch {args.batch_size}, "
        f"{args.changes} messages",
        [
            ("pipelined: changes made (transition_order)", f"{first['changes_per_s']:6.0f} /s"),
            (f"pipelined: end to end ({args.producers} producer(s))", f"{first['per_s']:6.0f} /s"),
            ("pipelined: first message after the first change", f"{first['first_ms']:6.1f} ms"),
            ("pipelined: CPU per message", cpu_row(first)),
            ("backlog: end to end (changes in one commit)", f"{second['per_s']:6.0f} /s"),
            ("backlog: first message after the commit", f"{second['first_ms']:6.1f} ms"),
            ("backlog: CPU per message", cpu_row(second)),
            (f"ceiling: smtplib loop, one connection, {top['bytes']} B", f"{top['per_s']:6.0f} /s"),
            (
                "ratio pipelined / ceiling",
                f"{ratio:6.2f}  (target >= {RATIO_TARGET}: {_met(ratio >= RATIO_TARGET)})",
            ),
            ("ratio backlog / ceiling", f"{second['per_s'] / top['per_s']:6.2f}"),
            (
                "pipelined: CPU per message, all parts",
                f"{pipelined_cpu:6.1f} ms  (target <= {CPU_TARGET_MS} ms: {cpu_met})",
            ),
            ("target (issue 8)", ">= 500 /s"),
            ("load average, 1 / 5 / 15 min, at the end", " / ".join(f"{x:.2f}" for x in os.getloadavg())),
        ],
    )
    print(f"load average at the start {loaded}; the machine is shared: compare CPU per message and ratios")
    print(f"worker logs in {log_dir}")


def _met(yes: bool) -> str:
    return "met" if yes else "NOT met"


if __name__ == "__main__":
    sys.exit(main())
