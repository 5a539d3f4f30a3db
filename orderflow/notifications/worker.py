"""The outbox worker: claims due deliveries under a lease, renders and sends them, records each attempt.

Delivery is at least once. A worker killed after a server accepted a message but before the worker wrote
"sent" leaves a delivery whose lease runs out; another worker sends it again with the same Message-ID,
which lets the receiver drop the copy. Several workers never hold one delivery at the same time: claims
take row locks (SKIP LOCKED on PostgreSQL; SQLite has one writer at a time), and results are written
only while the worker still holds the lease.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterable

import psycopg
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone

from orderflow.notifications.channels import Outgoing, Transport, TransportError, transport_class
from orderflow.notifications.emit import WAKE_CHANNEL
from orderflow.notifications.models import Channel, Delivery, DeliveryAttempt, Status
from orderflow.notifications.render import TemplateProblem, render

log = logging.getLogger(__name__)

# Seconds to wait after attempt 1, 2, ... fails: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
EXTERNAL = {Channel.EMAIL, Channel.SMS, Channel.MESSENGER}
IDLE_CAP_SECONDS = 5.0
# How often a waiting worker looks whether it was asked to stop.
STOP_CHECK_SECONDS = 0.1
LEASE_LOST = "lease lost to another worker: this result was not applied"


def transport_kind(channel: str) -> str:
    return "sandbox" if settings.NOTIFICATIONS_SANDBOX and channel in EXTERNAL else channel


class Worker:
    def __init__(self, *, name: str | None = None, batch_size: int = 100, lease_seconds: int = 60) -> None:
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 10000}"
        self.batch_size = batch_size
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.stop = threading.Event()
        self._lease_started = time.monotonic()
        self._listener: psycopg.Connection | None = None

    # -- claiming ----------------------------------------------------------------------------------

    def claim(self) -> list[Delivery]:
        """Take up to `batch_size` due deliveries (and expired leases) under a lease for this worker."""
        with transaction.atomic():
            # The clock starts once the transaction holds the write lock (SQLite queues writers for up
            # to its busy timeout): a lease counted from before the wait could be half gone already.
            now = timezone.now()
            self._lease_started = time.monotonic()
            due = Q(status=Status.PENDING, due_at__lte=now) | Q(status=Status.SENDING, lease_until__lt=now)
            rows = list(
                Delivery.objects.filter(due)
                .order_by("due_at", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", "status", "worker", "attempts")[: self.batch_size]
            )
            if not rows:
                return []
            # A message that stops every worker that sends it (a crash, an out-of-memory kill) would
            # otherwise be reclaimed for ever: interruptions count towards giving up like failures.
            hopeless = [
                pk for pk, status, _, tries in rows if status == Status.SENDING and tries >= MAX_ATTEMPTS
            ]
            if hopeless:
                Delivery.objects.filter(pk__in=hopeless).update(
                    status=Status.FAILED,
                    lease_until=None,
                    error=f"Gave up: the worker stopped while sending it {MAX_ATTEMPTS} times.",
                )
            rows = [row for row in rows if row[0] not in hopeless]
            ids = [pk for pk, _, _, _ in rows]
            DeliveryAttempt.objects.bulk_create(
                DeliveryAttempt(
                    delivery_id=pk,
                    started_at=now,
                    outcome=DeliveryAttempt.Outcome.INTERRUPTED,
                    error=f"The worker sending it ({holder or 'unknown'}) stopped before it finished; "
                    "its lease ran out.",
                    worker=holder,
                )
                for pk, status, holder, _ in rows
                if status == Status.SENDING
            )
            Delivery.objects.filter(pk__in=ids).update(
                status=Status.SENDING,
                lease_until=now + self.lease,
                worker=self.name,
                attempts=F("attempts") + 1,
            )
        return list(
            Delivery.objects.filter(pk__in=ids)
            .select_related(
                "notification__seller__notification_settings",
                "notification__order",
                "notification__event",  # rendering reads the event's note and the rule's extras
                "notification__rule",
            )
            .order_by("due_at", "pk")
        )

    # -- sending -----------------------------------------------------------------------------------

    def process(self, deliveries: Iterable[Delivery]) -> int:
        """Send what `claim` returned, one transport per channel; stop early (giving the rest back) when
        asked to stop or when most of the lease is used, so no delivery is sent after its lease ends."""
        groups: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in deliveries:
            groups[transport_kind(delivery.channel)].append(delivery)
        deadline = self._lease_started + self.lease.total_seconds() * 0.8
        done = 0
        for kind, items in groups.items():
            try:
                transport = transport_class(kind)()
            except ImportError:
                for delivery in items:
                    self._record(delivery, timezone.now(), 0, f"There is no transport for {kind!r}.", True)
                continue
            transport.open()
            try:
                for index, delivery in enumerate(items):
                    if self.stop.is_set() or time.monotonic() > deadline:
                        self._release(items[index:])
                        break
                    self._send_one(transport, delivery)
                    done += 1
            finally:
                transport.close()
        return done

    def _send_one(self, transport: Transport, delivery: Delivery) -> None:
        started, clock = timezone.now(), time.perf_counter()
        error, permanent = "", False
        try:
            rendered = render(delivery.notification)
            transport.send(Outgoing(delivery=delivery, rendered=rendered))
        except TemplateProblem as exc:
            error, permanent = f"The message could not be written: {exc}", True
        except TransportError as exc:
            error, permanent = str(exc), exc.permanent
        except Exception as exc:  # a bug or an unexpected fault must not stop the worker: record, retry
            log.exception("delivery %s failed unexpectedly", delivery.pk)
            error = f"Unexpected error: {type(exc).__name__}: {exc}"
        self._record(delivery, started, int((time.perf_counter() - clock) * 1000), error, permanent)

    def _held(self, delivery: Delivery) -> QuerySet[Delivery]:
        """The delivery, only while this worker still holds the lease it was claimed under: a worker
        whose lease ran out and was taken over must not overwrite the new holder's result."""
        return Delivery.objects.filter(
            pk=delivery.pk, status=Status.SENDING, worker=self.name, lease_until=delivery.lease_until
        )

    def _record(self, delivery: Delivery, started: dt.datetime, ms: int, error: str, permanent: bool) -> None:
        now = timezone.now()
        held = self._held(delivery)
        Outcome = DeliveryAttempt.Outcome
        with transaction.atomic():
            if not error:
                outcome = Outcome.SENT
                applied = held.update(status=Status.SENT, sent_at=now, lease_until=None, error="")
            elif permanent or delivery.attempts >= MAX_ATTEMPTS:
                outcome = Outcome.FAILED
                why = "" if permanent else f" Gave up after {delivery.attempts} attempts."
                applied = held.update(status=Status.FAILED, lease_until=None, error=error + why)
            else:
                outcome = Outcome.RETRY
                retry_at = now + dt.timedelta(seconds=RETRY_DELAYS[min(delivery.attempts, MAX_ATTEMPTS) - 1])
                applied = held.update(status=Status.PENDING, due_at=retry_at, lease_until=None, error=error)
            note = error
            if not applied:
                log.warning(
                    "worker %s lost the lease on delivery %s; result not applied", self.name, delivery.pk
                )
                note = f"{error} ({LEASE_LOST})" if error else LEASE_LOST
            DeliveryAttempt.objects.create(
                delivery=delivery,
                started_at=started,
                duration_ms=ms,
                outcome=outcome,
                error=note,
                worker=self.name,
            )

    def _release(self, deliveries: list[Delivery]) -> None:
        """Give back what this worker claimed but will not send (stopping, or the lease is running out)."""
        for delivery in deliveries:
            self._held(delivery).update(status=Status.PENDING, lease_until=None, attempts=F("attempts") - 1)

    # -- the loop ----------------------------------------------------------------------------------

    def run_once(self) -> int:
        return self.process(self.claim())

    def run(self) -> None:
        log.info("worker %s started", self.name)
        failures = 0
        try:
            while not self.stop.is_set():
                try:
                    close_old_connections()
                    if self._listener is None:
                        self._listen()
                    if self.run_once():
                        failures = 0
                        continue
                    failures = 0
                    self._wait(self._idle_seconds())
                except Exception:
                    # The database restarting, a lock held too long, a dropped LISTEN connection: log,
                    # back off, reconnect. What this worker had claimed comes back when its lease ends.
                    failures += 1
                    log.exception("worker %s: step failed (%d in a row); retrying", self.name, failures)
                    self._unlisten()
                    connection.close()
                    self._sleep(min(30.0, 0.5 * 2**failures))
        finally:
            self._unlisten()
            log.info("worker %s stopped", self.name)

    def _idle_seconds(self) -> float:
        """Until the next held delivery falls due, at most a few seconds (expired leases are checked too)."""
        cap = IDLE_CAP_SECONDS if self._listener else settings.WORKER_POLL_SECONDS
        next_due = Delivery.objects.filter(status=Status.PENDING).aggregate(at=Min("due_at"))["at"]
        if next_due is None:
            return cap
        return max(0.0, min(cap, (next_due - timezone.now()).total_seconds()))

    def _listen(self) -> None:
        if connection.vendor != "postgresql":
            return
        db = settings.DATABASES["default"]
        listener = psycopg.connect(
            dbname=db["NAME"],
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            autocommit=True,
        )
        listener.execute(f"LISTEN {WAKE_CHANNEL}")
        self._listener = listener

    def _unlisten(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()
            self._listener = None

    def _sleep(self, seconds: float) -> None:
        """Sleep until `seconds` pass or `stop` is set, in short slices.

        Not `stop.wait()`: run_worker sets `stop` from a signal handler, and Event.set() there can
        deadlock on the lock Event.wait() holds at the moment the signal lands in the same thread."""
        end = time.monotonic() + seconds
        while not self.stop.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, STOP_CHECK_SECONDS))

    def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self._listener is None:
            self._sleep(seconds)
            return
        # Wake on the first NOTIFY (draining any others that came with it), and look at `stop` often.
        end = time.monotonic() + seconds
        while not self.stop.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return
            for _ in self._listener.notifies(timeout=min(left, STOP_CHECK_SECONDS), stop_after=1):
                return
