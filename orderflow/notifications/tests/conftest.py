"""Real local components for transport tests: an SMTP sink (aiosmtpd) and an HTTP sink for Apprise's
json:// posts, both on free loopback ports; and a way to run `manage.py run_worker` against the test
database. Nothing here reaches past 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from orderflow.core.actors import Actor
from orderflow.notifications.models import Channel, Delivery, Notification
from orderflow.orders.actions import transition_order

ROOT = Path(__file__).resolve().parents[3]
LOOPBACK = "127.0.0.1"


# -- SMTP ------------------------------------------------------------------------------------------


@dataclass
class Received:
    """One message the SMTP sink accepted."""

    message_id: str
    rcpt_tos: list[str]
    mail_from: str
    peer: tuple[str, int]
    raw: bytes
    at: float  # time.monotonic() when accepted

    def parsed(self) -> EmailMessage:
        message = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message

    def text(self) -> str:
        part = self.parsed().get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


@dataclass
class SmtpSink:
    """Accepts every message and records it with its Message-ID. `refuse` maps a recipient address to
    the answer its RCPT gets (e.g. "550 5.1.1 No such user" or "451 4.7.1 Try again later");
    `delay` slows each DATA down, to catch a worker in the middle of a batch."""

    port: int = 0
    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        answer = self.refuse.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or b""
        headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
        received = Received(
            message_id=str(headers.get("Message-ID", "")),
            rcpt_tos=list(envelope.rcpt_tos),
            mail_from=str(envelope.mail_from),
            peer=session.peer,  # type: ignore[arg-type]
            raw=raw,
            at=time.monotonic(),
        )
        with self.lock:
            self.messages.append(received)
        return "250 2.0.0 Accepted"

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(m.message_id for m in self.messages)

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def only(self) -> Received:
        with self.lock:
            assert len(self.messages) == 1, f"expected one message, the sink has {len(self.messages)}"
            return self.messages[0]


class _SinkController(Controller):
    def __init__(self, sink: SmtpSink, port: int) -> None:
        super().__init__(sink, hostname=LOOPBACK, port=port)
        self.sink = sink

    def factory(self) -> SMTP:
        self.sink.connections += 1  # called once per accepted connection, on the server's thread
        return super().factory()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    sink = SmtpSink()
    for attempt in range(5):
        sink.port = free_port()
        controller = _SinkController(sink, sink.port)
        try:
            controller.start()
            break
        except Exception:  # the port was taken between probing and binding: try another
            if attempt == 4:
                raise
    sink.connections = 0  # the controller's own readiness probe
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def use_smtp_sink(settings, smtp_sink) -> SmtpSink:
    """Django's SMTP backend pointed at the sink; real sends, no sandbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = LOOPBACK
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.NOTIFICATIONS_SANDBOX = False
    return smtp_sink


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nobody listens on: bound (so no one else takes it) but not listening."""
    with socket.socket() as held:
        held.bind((LOOPBACK, 0))
        yield int(held.getsockname()[1])


# -- HTTP ------------------------------------------------------------------------------------------


@dataclass
class Post:
    path: str
    body: dict[str, Any]


@dataclass
class HttpSink:
    """Records JSON POST bodies and answers `status` to each (with `location`, a redirect)."""

    port: int = 0
    posts: list[Post] = field(default_factory=list)
    status: int = 200
    location: str = ""

    def url(self, path: str) -> str:
        return f"json://{LOOPBACK}:{self.port}/{path.lstrip('/')}"


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    sink = HttpSink()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length)
            sink.posts.append(Post(self.path, json.loads(data or b"{}")))
            self.send_response(sink.status)
            if sink.location:
                self.send_header("Location", sink.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def use_http_sink(settings, http_sink, monkeypatch) -> HttpSink:
    """Allow json:// posts to loopback, and keep any HTTP proxy of the environment out of the way."""
    settings.ALLOW_PRIVATE_DESTINATIONS = True
    settings.NOTIFICATIONS_SANDBOX = False
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", LOOPBACK)
    return http_sink


# -- volume ---------------------------------------------------------------------------------------


@pytest.fixture
def bulk_emails(make_order, olivia, alice) -> Callable[[int], list[Delivery]]:
    """`count` due emails that render like the real thing: a real order moved by a real action gives
    Alice's status notification, copied in bulk to as many readers (the action's own rows removed)."""

    def make(count: int) -> list[Delivery]:
        order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
        model = Notification.objects.get(order=order, contact=alice, template="status_changed")
        Delivery.objects.all().delete()
        now = timezone.now()
        copies = []
        for i in range(count):
            copy = Notification.objects.get(pk=model.pk)
            copy.pk = None
            copy.idempotency_key = f"bulk:{i}"
            copy.recipient_name = f"Reader {i}"
            copies.append(copy)
        notifications = Notification.objects.bulk_create(copies, batch_size=500)
        return Delivery.objects.bulk_create(
            (
                Delivery(
                    notification=notification,
                    channel=Channel.EMAIL,
                    address=f"reader{i}@example.test",
                    due_at=now,
                    reason="Bulk test delivery.",
                    created_at=now,
                )
                for i, notification in enumerate(notifications)
            ),
            batch_size=500,
        )

    return make


# -- the worker as a process -----------------------------------------------------------------------


def database_url() -> str:
    """The test database (the one this test sees), as DATABASE_URL for a child process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = f"{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{host}/{quote(db['NAME'], safe='')}"


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path
    name: str | None = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `manage.py run_worker` on the test database, sending to the SMTP sink; every process
    started is killed at the end of the test, so the database can be flushed."""
    started: list[WorkerProcess] = []

    def start(*args: str, smtp_port: int, name: str | None = None, **extra_env: str) -> WorkerProcess:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "orderflow.settings_test",
            "DATABASE_URL": database_url(),
            "EMAIL_URL": f"smtp://{LOOPBACK}:{smtp_port}?timeout=5",
            "NOTIFICATIONS_SANDBOX": "false",
            "MESSAGE_ID_DOMAIN": django_settings.MESSAGE_ID_DOMAIN,
            "SITE_URL": django_settings.SITE_URL,
            "SECRET_KEY": django_settings.SECRET_KEY,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        log = tmp_path / f"worker-{len(started)}.log"
        command = [sys.executable, str(ROOT / "manage.py"), "run_worker", *args]
        if name:
            command += ["--name", name]
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        worker = WorkerProcess(process, log, name)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                worker.process.send_signal(signal.SIGKILL)
            worker.process.wait(timeout=10)


def wait_for(condition: Callable[[], bool], *, timeout: float, step: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return condition()
