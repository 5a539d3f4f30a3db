"""What the benchmarks share: a database of their own, Django set up on it, a seller with customers built
through the real actions, an SMTP sink in its own process, child processes that are always stopped, and
a small table printer. Only loopback traffic; nothing here is imported by the product."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/orderflow_bench"
LOOPBACK = "127.0.0.1"
# Written on the databases the benchmarks create, so a rerun only ever drops one of its own.
MARK = "orderflow benchmark database: dropped and recreated by bench/*.py"
# A contact's hours covering the whole day, every day (a span cannot run from 00:00 to 24:00 itself).
ALWAYS_OPEN = {day: "00:00-12:00, 12:00-24:00" for day in range(7)}
# One key for the bench process and every worker it starts, so signed links match across them.
SECRET_KEY = secrets.token_urlsafe(40)


def database_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_URL)


# -- the database ----------------------------------------------------------------------------------


def _parts(url: str) -> tuple[dict[str, Any], str]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"The benchmarks run on PostgreSQL; DATABASE_URL is {url!r}.")
    name = unquote(parts.path.lstrip("/"))
    if (
        not name
        or name in ("postgres", "template0", "template1")
        or name == "test"
        or name.startswith("test_")
    ):
        raise SystemExit(f"Refusing to use the database {name!r}: give the benchmark a database of its own.")
    admin = {
        "dbname": "postgres",
        "host": parts.hostname or LOOPBACK,
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or "") or None,
        "autocommit": True,
    }
    return admin, name


def fresh_database(url: str) -> None:
    """Create the database, dropping it first if a previous benchmark run left it (marked as ours) or it
    is empty; refuse to touch any other database."""
    import psycopg
    from psycopg import sql

    admin, name = _parts(url)
    with psycopg.connect(**admin) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if row is not None:
            if row[0] != MARK and not _is_empty(admin, name):
                raise SystemExit(
                    f"The database {name!r} exists, holds tables and was not made by these benchmarks: "
                    "set DATABASE_URL to another name."
                )
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(MARK)))


def _is_empty(admin: dict[str, Any], name: str) -> bool:
    import psycopg

    with psycopg.connect(**{**admin, "dbname": name}) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    return row is not None and row[0] == 0


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    close_connections()
    admin, name = _parts(url)
    with psycopg.connect(**admin) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def child_env(url: str, *, smtp_port: int | None = None) -> dict[str, str]:
    """The environment of the bench process and of every worker it starts: production settings."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "orderflow.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "NOTIFICATIONS_SANDBOX": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "EMAIL_URL": f"smtp://{LOOPBACK}:{smtp_port}?timeout=10" if smtp_port else "memory://",
    }
    env.pop("DJANGO_CONFIGURATION", None)
    return env


def setup_django(url: str, *, smtp_port: int | None = None) -> None:
    """Point this process at a fresh benchmark database with the production settings, and migrate."""
    fresh_database(url)
    os.environ.update(child_env(url, smtp_port=smtp_port))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def close_connections() -> None:
    """Close this process's database connections and its pool, e.g. before forking."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
        close_pool = getattr(conn, "close_pool", None)
        if close_pool is not None:
            close_pool()


# -- people and orders, through the real actions ----------------------------------------------------


@dataclass
class World:
    seller: Any
    staff: Any
    contacts: list[Any]
    order_type: Any
    orders: list[Any] = field(default_factory=list)


def build_world(*, contacts: int, orders: int, progress: bool = True) -> World:
    """A shop seller with one owner, `contacts` customers of one email contact each (hours: always open),
    and `orders` shop orders spread over them, placed without notifying anyone (like loading history),
    so the benchmark's own changes are the only source of messages."""
    from orderflow.accounts.actions import add_contact, add_customer, add_staff, create_seller
    from orderflow.core.actors import Actor
    from orderflow.notifications.actions import set_schedule
    from orderflow.notifications.emit import muted
    from orderflow.orders.actions import LineInput, place_order
    from orderflow.workflows.actions import install_order_type

    seller = create_seller(name="Bench Grocer", slug="bench", time_zone="Europe/Paris", currency="EUR")
    staff = add_staff(seller, username="bench-owner", password=None, first_name="Olga", role="owner")
    order_type = install_order_type(seller, preset="shop", actor=Actor.system())
    people = []
    for i in range(contacts):
        customer = add_customer(seller, name=f"Flat {i + 1}")
        contact = add_contact(
            customer,
            name=f"Resident {i + 1}",
            email=f"resident{i + 1}@bench.example",
            time_zone="Europe/Paris",
            preferred_channels=["email"],
        )
        set_schedule(contact, ALWAYS_OPEN, actor=Actor.system())
        people.append(contact)
    world = World(seller=seller, staff=staff, contacts=people, order_type=order_type)
    started = time.monotonic()
    with muted():
        for i in range(orders):
            contact = people[i % len(people)]
            order = place_order(
                contact.customer,
                order_type=order_type,
                actor=Actor.customer(contact),
                lines=[LineInput("Basket of vegetables", 2, "7.50"), LineInput("Sourdough loaf", 1, "4.20")],
            )
            world.orders.append(order)
            if progress and (i + 1) % 1000 == 0:
                rate = (i + 1) / (time.monotonic() - started)
                print(f"  placed {i + 1}/{orders} orders ({rate:.0f}/s)", flush=True)
    return world


# -- the SMTP sink, in a process of its own -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class _Counting:
    """aiosmtpd handler doing as little as possible: accept, count, note when."""

    def __init__(self, count: Any, first: Any, last: Any) -> None:
        self.count, self.first, self.last = count, first, last

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.monotonic()  # CLOCK_MONOTONIC: comparable across processes on one machine
        if self.count.value == 0:
            self.first.value = now
        self.count.value += 1
        self.last.value = now
        return "250 OK"


def _serve(port: int, count: Any, first: Any, last: Any, ready: Any, stop: Any) -> None:
    import logging

    from aiosmtpd.smtp import SMTP

    logging.getLogger("mail.log").setLevel(logging.ERROR)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the sink, after Ctrl-C too
    handler = _Counting(count, first, last)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(handler, hostname="sink.bench"), LOOPBACK, port)
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        server.close()
        await server.wait_closed()

    asyncio.run(main())


class SmtpSink:
    """aiosmtpd in its own process on a free loopback port; counts accepted messages (unlocked shared
    values: only the sink's one event loop writes them)."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")  # a clean process: no Django, no inherited connections
        self.port = free_port()
        self._count = ctx.Value("q", 0, lock=False)
        self._first = ctx.Value("d", 0.0, lock=False)
        self._last = ctx.Value("d", 0.0, lock=False)
        self._ready = ctx.Event()
        self._stop = ctx.Event()
        self.process = ctx.Process(
            target=_serve,
            args=(self.port, self._count, self._first, self._last, self._ready, self._stop),
            name="smtp-sink",
            daemon=True,
        )

    def start(self) -> SmtpSink:
        self.process.start()
        if not self._ready.wait(20):
            self.stop()
            raise RuntimeError("the SMTP sink did not start")
        return self

    def stop(self) -> None:
        self._stop.set()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)

    def reset(self) -> None:
        self._count.value = 0
        self._first.value = self._last.value = 0.0

    @property
    def count(self) -> int:
        return int(self._count.value)

    @property
    def first_at(self) -> float:
        return float(self._first.value)

    @property
    def last_at(self) -> float:
        return float(self._last.value)

    def wait_for(self, count: int, *, timeout: float, alive: Callable[[], bool] = lambda: True) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.count >= count:
                return True
            if not alive():
                return False
            time.sleep(0.005)
        return self.count >= count


# -- worker processes -------------------------------------------------------------------------------


@dataclass
class Workers:
    """`manage.py run_worker` processes on the benchmark database. Stopped with SIGTERM, then killed."""

    url: str
    smtp_port: int | None
    log_dir: Path
    processes: list[Any] = field(default_factory=list)

    def start(self, count: int, *, batch_size: int = 100) -> None:
        env = child_env(self.url, smtp_port=self.smtp_port)
        for i in range(len(self.processes), len(self.processes) + count):
            log_path = self.log_dir / f"worker-{i}.log"
            command = [
                sys.executable, str(ROOT / "manage.py"), "run_worker",
                "--name", f"bench-{i}", "--batch-size", str(batch_size),
            ]  # fmt: skip
            with log_path.open("wb") as log:
                self.processes.append(
                    subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
                )

    @staticmethod
    def _running(process: Any) -> bool:
        return process.is_alive() if isinstance(process, mp.process.BaseProcess) else process.poll() is None

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid]

    def wait_running(self, timeout: float = 30.0) -> None:
        """Until each worker has printed its banner (it listens for NOTIFY just after)."""
        end = time.monotonic() + timeout
        for i, process in enumerate(self.processes):
            log = self.log_dir / f"worker-{i}.log"
            while "running" not in (log.read_text(errors="replace") if log.exists() else ""):
                if not self._running(process) or time.monotonic() > end:
                    raise RuntimeError(f"worker {i} did not start:\n{self.logs()}")
                time.sleep(0.05)
        time.sleep(0.5)  # the banner comes just before the first claim and LISTEN

    def alive(self) -> bool:
        return all(self._running(p) for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            if self._running(process):
                os.kill(process.pid, signal.SIGTERM)
        for process in self.processes:
            if isinstance(process, mp.process.BaseProcess):
                process.join(10)
                if process.is_alive():
                    process.kill()
                    process.join(5)
                continue
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def logs(self) -> str:
        return "\n".join(
            f"--- worker {i}\n{(self.log_dir / f'worker-{i}.log').read_text(errors='replace')}"
            for i in range(len(self.processes))
            if (self.log_dir / f"worker-{i}.log").exists()
        )


# -- CPU time by component ------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def database_name(url: str) -> str:
    return _parts(url)[1]


def postgres_backends(database: str) -> list[int]:
    """This machine's PostgreSQL backends connected to `database` (read from their process titles)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds spent by groups of processes (e.g. workers, PostgreSQL backends of the benchmark
    database, the SMTP sink) between start() and stop(), sampled from /proc every 0.1 s so that a
    process that exits meanwhile still counts (up to its last sample); new processes are looked for
    every second."""

    def __init__(self, groups: dict[str, Callable[[], Sequence[int]]]) -> None:
        self.groups = groups
        self.first: dict[int, float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self._pids: dict[str, list[int]] = {}
        self._stop = False
        self._thread: Any = None

    def _sample(self, *, rescan: bool = True) -> None:
        for name, pids in self.groups.items():
            if rescan or name not in self._pids:
                self._pids[name] = list(pids())
            for pid in self._pids[name]:
                used = _cpu_seconds(pid)
                if used is not None:
                    self.first.setdefault(pid, used)
                    self.last[(name, pid)] = used

    def start(self) -> CpuMeter:
        import threading

        self._sample()

        def loop() -> None:
            ticks = 0
            while not self._stop:
                time.sleep(0.1)
                ticks += 1
                self._sample(rescan=ticks % 10 == 0)  # looking for new processes costs more

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        self._sample()
        self._stop = True
        self._thread.join()
        used: dict[str, float] = dict.fromkeys(self.groups, 0.0)
        for (name, pid), seconds in self.last.items():
            used[name] += seconds - self.first[pid]
        return used


@contextlib.contextmanager
def time_limit(seconds: int, what: str) -> Iterator[None]:
    """Abort the benchmark (through the callers' `finally` blocks) if it runs past `seconds`."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- output -----------------------------------------------------------------------------------------


def table(title: str, rows: Sequence[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    print(f"\n{title}")
    print("-" * (width + 3 + max(len(value) for _, value in rows)))
    for label, value in rows:
        print(f"{label:<{width}}   {value}")


def machine() -> str:
    import platform

    cores = os.cpu_count() or 0
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {cores} cores, {platform.system()}"
    )
