"""What the API benchmarks share: their own PostgreSQL database, Django set up on it, data built with the
real actions (then multiplied with bulk inserts), gunicorn started and always stopped, and wrk runs
parsed. Loopback only, bounded in time. Nothing here is imported by the product."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/orderflow_api_bench"
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
MARK = "orderflow API benchmark database: dropped and recreated by bench/api_*.py"
SECRET_KEY = secrets.token_urlsafe(40)


def database_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_URL)


def fresh_database(url: str) -> None:
    """Drop and create the benchmark's own database; refuse any other (test databases included)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"The API benchmarks run on PostgreSQL; DATABASE_URL is {url!r}.")
    if not name or name in ("postgres", "template0", "template1", "test") or name.startswith("test_"):
        raise SystemExit(f"Refusing to use the database {name!r}: give the benchmark a database of its own.")
    admin = {
        "dbname": "postgres",
        "host": parts.hostname or HOST,
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or "") or None,
        "autocommit": True,
    }
    with psycopg.connect(**admin) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if row is not None:
            if row[0] != MARK:
                raise SystemExit(
                    f"The database {name!r} exists and is not one this benchmark made; not dropping it."
                )
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(MARK)))


def server_environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
        # The benchmark measures throughput, not the limiter's refusals (it still counts every request).
        "API_RATE_LIMIT": "100000000",
        "PYTHONPATH": str(ROOT),
    }


def setup_django(url: str) -> None:
    os.environ.update(server_environment(url))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@dataclass(frozen=True)
class Seeded:
    token: str
    numbers: list[int]


def seed(*, orders: int, lines_per_order: int = 2) -> Seeded:
    """A seller (Olivia, owner), a customer with a contact, the shop order type, a read-write token made
    by Olivia, and `orders` orders in the shop's first state: ten placed by the action (with their events
    and notifications), the rest copies of them inserted in bulk."""
    from django.db import connection, transaction

    from orderflow.accounts.actions import add_contact, add_customer, add_staff, create_seller
    from orderflow.accounts.models import Seller
    from orderflow.core.actors import Actor
    from orderflow.integrations.actions import create_api_token
    from orderflow.orders.actions import LineInput, place_order
    from orderflow.orders.models import Order, OrderLine
    from orderflow.workflows.actions import install_order_type

    seller = create_seller(name="Bench Supplies", slug="bench", time_zone="Europe/Paris", currency="EUR")
    olivia = add_staff(seller, username="olivia", password=None, first_name="Olivia", role="owner")
    customer = add_customer(seller, name="Corner Bar", kind="bar")
    alice = add_contact(customer, name="Alice", email="alice@bench.example")
    shop = install_order_type(seller, preset="shop", actor=Actor.system())
    _, raw = create_api_token(seller, name="Bench", scope="read_write", actor=Actor.staff(olivia))
    lines = [LineInput(f"Crate {i}", i + 1, "12.50", sku=f"SKU-{i}") for i in range(lines_per_order)]
    placed = [
        place_order(customer, order_type=shop, actor=Actor.customer(alice), lines=lines)
        for _ in range(min(10, orders))
    ]
    template = placed[0]
    start = max(order.number for order in placed) + 1
    with transaction.atomic():
        batch = 1000
        for first in range(start, orders + 1, batch):
            numbers = range(first, min(orders + 1, first + batch))
            created = Order.objects.bulk_create(
                Order(
                    seller=seller,
                    number=number,
                    order_type=shop,
                    workflow_version=template.workflow_version,
                    state=template.state,
                    state_category=template.state_category,
                    customer=customer,
                    placed_by=alice,
                    title=f"Order {number}",
                    currency=seller.currency,
                    # A minute apart, as if placed over the past days
                    submitted_at=template.submitted_at - dt.timedelta(minutes=orders - number),
                    last_activity_at=template.last_activity_at - dt.timedelta(minutes=orders - number),
                )
                for number in numbers
            )
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    position=position,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    sku=line.sku,
                )
                for order in created
                for position, line in enumerate(lines, start=1)
            )
        Seller.objects.filter(pk=seller.pk).update(order_counter=orders)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a bulk load: plans for the real row counts
    return Seeded(token=raw, numbers=list(range(1, orders + 1)))


@contextlib.contextmanager
def gunicorn(url: str, *, workers: int = 2) -> Iterator[str]:
    """gunicorn from requirements.txt, `workers` sync workers on a loopback port; stopped on exit."""
    binary = Path(sys.executable).with_name("gunicorn")
    command = [
        str(binary),
        "orderflow.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{PORT}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        "--backlog",
        "256",
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, env=server_environment(url), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield _ready(process, log)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _ready(process: subprocess.Popen[bytes], log: IO[bytes]) -> str:
    base = f"http://{HOST}:{PORT}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2) as response:
                if response.status == 200:
                    return base
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise SystemExit("gunicorn did not start:\n" + log.read().decode(errors="replace")[-3000:])
        time.sleep(0.2)


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    per_second: float
    latency_p50_ms: float
    latency_p99_ms: float
    not_ok: int


def wrk(
    url: str,
    *,
    token: str,
    seconds: int,
    connections: int = 8,
    threads: int = 2,
    script: str | None = None,
    args: list[str] | None = None,
) -> WrkResult:
    """One wrk run against `url` with the bearer token (at most `seconds` long)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        "-H",
        f"Authorization: Bearer {token}",
    ]
    if script:
        command += ["-s", script]
    command.append(url)
    if args:
        command += ["--", *args]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    return _parse(output)


def _parse(output: str) -> WrkResult:
    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    not_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if not total or not rate:
        raise SystemExit("Could not read wrk's output:\n" + output)
    seconds = float(total.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[total.group(3)]
    return WrkResult(
        requests=int(total.group(1)),
        seconds=seconds,
        per_second=float(rate.group(1)),
        latency_p50_ms=latency("50"),
        latency_p99_ms=latency("99"),
        not_ok=int(not_ok.group(1)) if not_ok else 0,
    )


def table(rows: list[tuple[str, WrkResult]]) -> str:
    lines = [f"{'endpoint':58} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'non-2xx':>8}"]
    for name, result in rows:
        lines.append(
            f"{name:58} {result.per_second:8.0f} {result.latency_p50_ms:8.1f} {result.latency_p99_ms:8.1f} "
            f"{result.requests:9d} {result.not_ok:8d}"
        )
    return "\n".join(lines)


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages (other sessions share it)."""
    with open("/proc/loadavg") as file:
        return "load average " + ", ".join(file.read().split()[:3])


def cpu_seconds(*, gunicorn: bool = False, database: str | None = None) -> float:
    """CPU time (user + system) used so far by the benchmark's gunicorn processes, or by the PostgreSQL
    backends connected to `database`, read from /proc (their command lines name the port and the
    database)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        server = gunicorn and "gunicorn" in command and f"{HOST}:{PORT}" in command
        backend = database is not None and command.startswith("postgres: ") and f" {database} " in command
        if not (server or backend):
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks
