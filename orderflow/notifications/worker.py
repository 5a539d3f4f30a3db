"""The outbox worker: claims due deliveries under a lease, renders and sends them, records each attempt.

Delivery is at least once. A worker killed after a server accepted a message but before the worker wrote
"sent" leaves a delivery whose lease runs out; another worker sends it again with the same Message-ID,
which lets the receiver drop the copy. Several workers never hold one delivery at the same time: claims
take row locks (SKIP LOCKED on PostgreSQL; SQLite has one writer at a time), and results are written
only while the worker still holds the lease.

A claim charges nothing. Just before each send the worker records, under its lease, that the send
starts (`send_started_at`, and the attempt is counted). When a killed worker's lease runs out, only the
delivery whose send had started is charged an "interrupted" attempt; the rest of its batch goes back
unpenalised. So kills alone never use up a delivery's attempts, and a message that kills every worker
sending it (a poison message) fails on its own after MAX_ATTEMPTS. The price: one more statement (and
commit) per delivery.

Each result is written right after its send, so a worker killed mid-batch repeats at most the one
message it was sending. On PostgreSQL that write is one statement in autocommit (the lease-fenced
UPDATE and the attempt's INSERT in one CTE); on SQLite, an UPDATE and an INSERT in one transaction.

A lease can also run out while its worker is still running, only slow (starved of CPU on a loaded
machine). On PostgreSQL each worker names its sessions after itself, so the claim that takes such a
delivery over sees that the holder is still there: it logs a `lease_lost` attempt, gives back the
attempt the start charged, and never counts it towards giving up. The slow worker's own result is then
refused by the lease fence and logged as `lease_lost` too. (SQLite cannot tell: every lost lease whose
send had started counts as interrupted there.)

Waking (PostgreSQL): a change NOTIFYs the lanes its deliveries are in, once per transaction. Of the
workers of a lane, only the one holding the lane's advisory lock (the waiting turn) waits for NOTIFYs;
the others wait for that lock. The waiting worker claims everything due when woken, sends it, and keeps
its turn while its claims are short; a full claim hands the turn on (and NOTIFYs), so with a backlog
the next worker starts at once. So one change wakes one worker, not every worker of every lane.

With WORKER_SYNCHRONOUS_COMMIT=false the worker's own PostgreSQL session commits without waiting for
the WAL flush (`synchronous_commit = off`; nobody else's session changes). A worker kill still loses
nothing, but a PostgreSQL crash can lose the last fraction of a second of the worker's writes: claims
and results written just before it come back as pending and are sent again, with the same Message-ID.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F, Field, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.notifications.channels import Outgoing, Transport, TransportError, registry, transport_class
from orderflow.notifications.channels.registry import transport_kind
from orderflow.notifications.models import Delivery, DeliveryAttempt, Notification, Status
from orderflow.notifications.outbox import WAKE_CHANNEL, lane_channel
from orderflow.notifications.render import Batch, TemplateProblem, preload, render

log = logging.getLogger(__name__)

# Seconds to wait after attempt 1, 2, ... fails: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
IDLE_CAP_SECONDS = 5.0
# How often a waiting worker looks whether it was asked to stop.
STOP_CHECK_SECONDS = 0.1
LEASE_LOST = "lease lost to another worker: this result was not applied"
# A claim ranks sellers' turns over this many times batch_size of the oldest due rows.
CANDIDATES_PER_BATCH = 8
# Lanes: the channels one worker loop claims (each channel's spec names its lane). Webhooks (outside
# servers, some slow) never share a lane with people's messages, so an endpoint taking its whole time
# budget delays no email or in-app item.
LANES = registry.lanes()
ALL_CHANNELS = registry.channel_keys()
# The advisory lock (class, lane) held by the one worker of a lane that waits for NOTIFYs (PostgreSQL).
WAITER_LOCK_CLASS = 0x0F1B
# How long a worker waiting for that lock looks again whether it was asked to stop.
WAITER_LOCK_TIMEOUT = "250ms"
# PostgreSQL keeps application_name to 63 bytes.
APPLICATION_NAME_MAX = 63


def _recipient_gone(notification: Notification) -> bool:
    """The contact, staff member or endpoint it was for was deleted after it was written."""
    return not (
        notification.contact_id or notification.membership_id or notification.email or notification.webhook_id
    )


class Worker:
    """Claims and sends the deliveries of one lane (`LANES`), or of every channel when `lane` is None
    (`run_worker --once`, tests)."""

    def __init__(
        self,
        *,
        name: str | None = None,
        batch_size: int = 100,
        lease_seconds: int = 60,
        lane: str | None = None,
    ) -> None:
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{lane or threading.get_ident() % 10000}"
        self.lane = lane
        self.channels = LANES[lane] if lane is not None else ALL_CHANNELS
        self.batch_size = batch_size
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.stop = threading.Event()
        self._lease_started = time.monotonic()
        self._listener: psycopg.Connection | None = None
        # The NOTIFY channels this worker hears: its lane's (the first) and the one for any lane.
        lanes = [lane] if lane is not None else sorted(LANES)
        self._wake_channels = [*(lane_channel(each) for each in lanes), WAKE_CHANNEL]
        # Whether this worker holds its lane's waiter lock: the one worker of the lane that waits for
        # NOTIFYs, so that a change wakes one worker, not all of them.
        self._waiting_turn = False
        # `run` keeps transports (an SMTP connection, an HTTP session) open between batches and closes
        # them once a wait ends with nothing to do; `run_once` and `process` close them after the batch.
        self._keep_transports = False
        self._transports: dict[str, Transport] = {}
        # The earliest time something pending is known to fall due (None: nothing known), so that a
        # worker which has just emptied the queue can wait without asking the database again.
        self._next_due: dt.datetime | None = None
        self._tuned: object = None
        # `run` of a lane of outside servers: sends under way on a thread pool
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight: set[futures.Future[bool]] = set()

    # -- claiming ----------------------------------------------------------------------------------

    def claim(self, limit: int | None = None) -> list[Delivery]:
        """Take up to `batch_size` due deliveries of this worker's lane (and expired leases) under a
        lease. Sellers take turns: each seller's oldest due delivery comes before anyone's second, so
        one seller's backlog cannot hold another's messages back by more than a turn per batch.

        Claiming charges nothing: a delivery is charged an attempt when its send starts (`_start`), so
        a lease that ran out counts as an interrupted attempt only if the send had begun."""
        with transaction.atomic():
            # The clock starts once the transaction holds the write lock (SQLite queues writers for up
            # to its busy timeout): a lease counted from before the wait could be half gone already.
            now = timezone.now()
            self._lease_started = time.monotonic()
            self._next_due = None  # whatever was due is claimed now (up to batch_size)
            size = min(self.batch_size, limit or self.batch_size)
            rows = self._claimable(now, size)
            if not rows:
                return []
            # A message that stops every worker that sends it (a crash, an out-of-memory kill) would
            # otherwise be reclaimed for ever: interrupted sends count towards giving up like failures.
            # A lease that ran out while its worker is still running (starved of CPU on a loaded
            # machine, not stopped) is no fault of the message: it is logged, the attempt its start
            # charged is given back, and it never counts towards giving up.
            Outcome = DeliveryAttempt.Outcome
            cut_off = [(pk, holder, tries) for pk, status, holder, tries, started in rows if started]
            running = self._still_running({holder for _pk, holder, _tries in cut_off})
            slow = {pk for pk, holder, _tries in cut_off if holder in running}
            hopeless = {pk for pk, _h, tries in cut_off if pk not in slow and tries >= MAX_ATTEMPTS}
            DeliveryAttempt.objects.bulk_create(
                DeliveryAttempt(
                    delivery_id=pk,
                    started_at=now,
                    outcome=Outcome.LEASE_LOST
                    if pk in slow
                    else Outcome.FAILED
                    if pk in hopeless
                    else Outcome.INTERRUPTED,
                    error=(
                        f"The lease of the worker sending it ({holder}) ran out while that worker was "
                        "still running (slow, not stopped): not counted as an attempt."
                    )
                    if pk in slow
                    else f"The worker sending it ({holder or 'unknown'}) stopped before it finished; "
                    "its lease ran out.",
                    worker=holder,
                )
                for pk, holder, _tries in cut_off
            )
            if hopeless:
                Delivery.objects.filter(pk__in=hopeless).update(
                    status=Status.FAILED,
                    lease_until=None,
                    send_started_at=None,
                    error=f"Gave up: the worker stopped while sending it {MAX_ATTEMPTS} times.",
                )
            if slow:
                Delivery.objects.filter(pk__in=slow, attempts__gt=0).update(attempts=F("attempts") - 1)
            # What a killed worker had begun to send goes last in this batch: a worker's first send
            # after starting up is its slowest (nothing warm yet), so a message put first again and
            # again would take most of the kills that land on a freshly started worker, and be given
            # up for a few unlucky kills rather than because it is poison.
            interrupted = {pk for pk, _h, _t in cut_off}
            ids = [row[0] for row in rows if row[0] not in interrupted]
            ids += [row[0] for row in rows if row[0] in interrupted and row[0] not in hopeless]
            if ids:  # hand-written, as the claim's SELECT: this runs on every wake-up
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {Delivery._meta.db_table} SET status = %s, lease_until = %s, worker = %s, "
                        f"send_started_at = NULL WHERE id IN ({', '.join(['%s'] * len(ids))})",
                        [Status.SENDING, self._db_time(now + self.lease), self.name, *ids],
                    )
            if len(rows) >= size and connection.vendor == "postgresql":
                # A full batch: more may be due. Wake the lane's waiting worker (the NOTIFY goes out
                # with this commit), and if this worker is the one that waits, let another take that
                # turn now (it claims at once: the NOTIFY is queued for it) while this one sends.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_notify(%s, '')", [self._wake_channels[0]])
                self._give_up_waiting()
        claimed = (
            Delivery.objects.filter(pk__in=ids)
            # Not the order: rendering reads it for the whole batch at once (`render.preload`).
            .select_related(
                "notification__seller__notification_settings",
                "notification__event",  # rendering reads the event's note and the rule's extras
                "notification__rule",
            )
            .in_bulk()
        )
        return [claimed[pk] for pk in ids if pk in claimed]  # in turn order

    def _still_running(self, holders: set[str]) -> set[str]:
        """Which of these workers still have a session open on PostgreSQL (each names its sessions
        after itself): a worker that was killed has none. Elsewhere nobody is known to be running."""
        holders.discard("")
        if not holders or connection.vendor != "postgresql":
            return set()
        names = {holder[:APPLICATION_NAME_MAX]: holder for holder in holders}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT application_name FROM pg_stat_activity WHERE application_name = ANY(%s)",
                [list(names)],
            )
            return {names[name] for (name,) in cursor.fetchall() if name in names}

    def _claimable(self, now: dt.datetime, size: int) -> list[tuple[int, str, str, int, bool]]:
        """(id, status, worker, attempts, whether its send had started) of what this claim takes, in
        turn order, locked. The turns are counted over the oldest CANDIDATES_PER_BATCH * batch_size due
        rows of the lane (and as many expired leases), so a claim costs the same however long the queue
        is; a seller's messages behind that window wait for their turn with the window."""
        table = Delivery._meta.db_table
        notifications = Notification._meta.db_table
        channels = sorted(self.channels)
        marks = ", ".join(["%s"] * len(channels))
        window = size * CANDIDATES_PER_BATCH
        postgres = connection.vendor == "postgresql"
        lock = "FOR UPDATE OF d SKIP LOCKED" if postgres else ""  # SQLite: one writer at a time
        due = "((d.status = %s AND d.due_at <= %s) OR (d.status = %s AND d.lease_until < %s))"
        at = connection.ops.adapt_datetimefield_value(now)
        due_params = [Status.PENDING, at, Status.SENDING, at]
        # The outer WHERE repeats the test on d: PostgreSQL re-checks it against a row another worker
        # claimed and committed after this statement's snapshot, so that row is skipped, not taken twice.
        sql = f"""
            SELECT d.id, d.status, d.worker, d.attempts, d.send_started_at IS NOT NULL
            FROM {table} d JOIN (
                SELECT c.id, c.due_at,
                       ROW_NUMBER() OVER (PARTITION BY n.seller_id ORDER BY c.due_at, c.id) AS turn
                FROM (
                    SELECT * FROM (
                        SELECT id, notification_id, due_at FROM {table}
                        WHERE status = %s AND due_at <= %s AND channel IN ({marks})
                        ORDER BY due_at, id LIMIT %s
                    ) pending
                    UNION ALL
                    SELECT * FROM (
                        SELECT id, notification_id, due_at FROM {table}
                        WHERE status = %s AND lease_until < %s AND channel IN ({marks})
                        ORDER BY lease_until, id LIMIT %s
                    ) expired
                ) c JOIN {notifications} n ON n.id = c.notification_id
            ) f ON f.id = d.id
            WHERE {due}
            ORDER BY f.turn, f.due_at, f.id
            LIMIT %s
            {lock}
        """
        params: list[Any] = [Status.PENDING, at, *channels, window]
        params += [Status.SENDING, at, *channels, window]
        params += [*due_params, size]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [
                (pk, status, holder, tries, bool(started))
                for pk, status, holder, tries, started in cursor.fetchall()
            ]

    # -- sending -----------------------------------------------------------------------------------

    def process(self, deliveries: Iterable[Delivery]) -> int:
        """Send what `claim` returned, one transport per channel; stop early (giving the rest back) when
        asked to stop or when most of the lease is used, so no delivery is sent after its lease ends.
        What goes to servers that sellers choose (webhooks, SMS and messenger gateways) is sent side by
        side, up to WORKER_CONCURRENCY at once: a slow server holds up one thread for at most its
        time budget, not every other seller's messages one after another."""
        items = list(deliveries)
        if not items:
            return 0
        # The orders and template overrides of the whole batch in two queries, read just before sending.
        batch = preload(delivery.notification for delivery in items)
        groups: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in items:
            groups[transport_kind(delivery.channel)].append(delivery)
        deadline = self._lease_started + self.lease.total_seconds() * 0.8
        done = 0
        try:
            for kind, group in groups.items():
                try:
                    transport_class(kind)
                except ImportError:
                    for delivery in group:
                        if self._start(delivery):
                            self._record(
                                delivery, timezone.now(), 0, f"There is no transport for {kind!r}.", True
                            )
                    continue
                if registry.side_by_side(kind) and settings.WORKER_CONCURRENCY > 1 and len(group) > 1:
                    done += self._send_side_by_side(kind, group, batch, deadline)
                    continue
                transport = self._transport(kind)
                for index, delivery in enumerate(group):
                    # A delivery whose start was recorded with the last one's result is sent whatever
                    # happens; one that was not is started here, unless it is time to stop.
                    if delivery.send_started_at is None:
                        if self._stopping(deadline):
                            self._release(group[index:])
                            break
                        if not self._start(delivery):
                            continue
                    following = group[index + 1] if index + 1 < len(group) else None
                    if following is not None and self._stopping(deadline):
                        following = None
                    self._send_one(transport, delivery, batch, then_start=following)
                    done += 1
        finally:
            if not self._keep_transports:
                self._close_transports()
        return done

    def _stopping(self, deadline: float) -> bool:
        return self.stop.is_set() or time.monotonic() > deadline

    def _send_side_by_side(self, kind: str, group: list[Delivery], batch: Batch, deadline: float) -> int:
        """Send a group at the same time, each on a thread of its own, and wait for all of them."""
        with ThreadPoolExecutor(
            max_workers=min(settings.WORKER_CONCURRENCY, len(group)), thread_name_prefix="send"
        ) as pool:
            return sum(pool.map(lambda delivery: self._send_alone(kind, delivery, batch, deadline), group))

    def _send_alone(self, kind: str, delivery: Delivery, batch: Batch | None, deadline: float) -> bool:
        """One delivery on the calling thread, with its own transport and database connection (closed
        after: the thread may be one of a pool's). True if it was sent or recorded as failed."""
        try:
            if self.stop.is_set() or time.monotonic() > deadline:
                self._release([delivery])
                return False
            if not self._start(delivery):
                return False
            transport = transport_class(kind)()
            transport.open()
            try:
                self._send_one(transport, delivery, batch)
            finally:
                transport.close()
            return True
        except Exception:  # the database went away mid-send: the lease brings the delivery back
            log.exception("worker %s: sending delivery %s failed", self.name, delivery.pk)
            return False
        finally:
            connection.close()

    def _start(self, delivery: Delivery) -> bool:
        """Record that this delivery's send begins, charging it an attempt, while this worker holds its
        lease; False (send nothing) when the lease was lost. From here a lease that runs out counts as
        an interrupted attempt; before it, a killed worker's claim goes back unpenalised."""
        started = timezone.now()
        with connection.cursor() as cursor:  # as _held(delivery).update(...), without compiling it
            cursor.execute(
                f"UPDATE {Delivery._meta.db_table} SET send_started_at = %s, attempts = attempts + 1 "
                "WHERE id = %s AND status = %s AND worker = %s AND lease_until = %s",
                [
                    self._db_time(started),
                    delivery.pk,
                    Status.SENDING,
                    self.name,
                    self._db_time(delivery.lease_until),
                ],
            )
            held = cursor.rowcount == 1
        if not held:
            log.warning("worker %s lost the lease on delivery %s before sending it", self.name, delivery.pk)
            return False
        delivery.send_started_at, delivery.attempts = started, delivery.attempts + 1
        return True

    def _transport(self, kind: str) -> Transport:
        """This kind's transport, opened for a new batch (kept from the last batch while `run` keeps it)."""
        transport = self._transports.get(kind)
        if transport is None:
            transport = self._transports[kind] = transport_class(kind)()
        transport.open()
        return transport

    def _close_transports(self) -> None:
        transports, self._transports = self._transports, {}
        for kind, transport in transports.items():
            try:
                transport.close()
            except Exception:
                log.exception("worker %s: closing the %s transport failed", self.name, kind)

    def _send_one(
        self,
        transport: Transport,
        delivery: Delivery,
        batch: Batch | None = None,
        *,
        then_start: Delivery | None = None,
    ) -> None:
        """Send a delivery whose start is recorded and write its result; with `then_start`, the same
        write records that the next delivery's send starts (one commit per delivery, not two)."""
        started, clock = timezone.now(), time.perf_counter()
        error, permanent = "", False
        try:
            if _recipient_gone(delivery.notification):
                raise TransportError(_("Its recipient was removed before it could be sent."), permanent=True)
            rendered = render(delivery.notification, batch=batch)
            transport.send(Outgoing(delivery=delivery, rendered=rendered))
        except TemplateProblem as exc:
            error, permanent = f"The message could not be written: {exc}", True
        except TransportError as exc:
            error, permanent = str(exc), exc.permanent
        except ObjectDoesNotExist as exc:  # its order, endpoint or message was deleted meanwhile
            error, permanent = f"What it was about was removed before it could be sent ({exc}).", True
        except Exception as exc:  # a bug or an unexpected fault must not stop the worker: record, retry
            log.exception("delivery %s failed unexpectedly", delivery.pk)
            error = f"Unexpected error: {type(exc).__name__}: {exc}"
        ms = int((time.perf_counter() - clock) * 1000)
        self._record(delivery, started, ms, error, permanent, then_start=then_start)

    @staticmethod
    def _db_time(value: dt.datetime | None) -> Any:
        return connection.ops.adapt_datetimefield_value(value)

    def _held(self, delivery: Delivery) -> QuerySet[Delivery]:
        """The delivery, only while this worker still holds the lease it was claimed under: a worker
        whose lease ran out and was taken over must not overwrite the new holder's result."""
        return Delivery.objects.filter(
            pk=delivery.pk, status=Status.SENDING, worker=self.name, lease_until=delivery.lease_until
        )

    def _record(
        self,
        delivery: Delivery,
        started: dt.datetime,
        ms: int,
        error: str,
        permanent: bool,
        *,
        then_start: Delivery | None = None,
    ) -> None:
        """Write the attempt and, while this worker holds the lease, the delivery's new state (and, with
        `then_start`, the start of the next delivery's send, as `_start` would). A delivery deleted
        meanwhile (its order or endpoint removed) has nothing left to record."""
        now = timezone.now()
        Outcome = DeliveryAttempt.Outcome
        closed: dict[str, object] = dict(lease_until=None, send_started_at=None)
        if not error:
            outcome = Outcome.SENT
            changes: dict[str, object] = dict(status=Status.SENT, sent_at=now, error="", **closed)
        elif permanent or delivery.attempts >= MAX_ATTEMPTS:
            outcome = Outcome.FAILED
            why = "" if permanent else f" Gave up after {delivery.attempts} attempts."
            changes = dict(status=Status.FAILED, error=error + why, **closed)
        else:
            outcome = Outcome.RETRY
            retry_at = now + dt.timedelta(seconds=RETRY_DELAYS[min(delivery.attempts, MAX_ATTEMPTS) - 1])
            changes = dict(status=Status.PENDING, due_at=retry_at, error=error, **closed)
            self._next_due = min(self._next_due or retry_at, retry_at)
        attempt = DeliveryAttempt(
            delivery=delivery,
            started_at=started,
            duration_ms=ms,
            outcome=outcome,
            error=error,
            worker=self.name,
        )
        next_started = False
        try:
            if connection.vendor == "postgresql":
                applied, next_started = self._write_result(delivery, changes, attempt, then_start, now)
            else:
                with transaction.atomic():
                    applied = bool(self._held(delivery).update(**changes))
                    if not applied:
                        attempt.error = self._lost_note(error, outcome)
                        attempt.outcome = Outcome.LEASE_LOST
                    if applied or Delivery.objects.filter(pk=delivery.pk).exists():
                        attempt.save()
                    if then_start is not None:
                        next_started = bool(
                            self._held(then_start)
                            .filter(send_started_at__isnull=True)
                            .update(send_started_at=now, attempts=F("attempts") + 1)
                        )
        except IntegrityError:  # deleted between the check and the write
            applied = False
        if then_start is not None and next_started:
            then_start.send_started_at, then_start.attempts = now, then_start.attempts + 1
        if not applied:
            log.warning("worker %s: delivery %s taken over or removed; not applied", self.name, delivery.pk)

    @staticmethod
    def _lost_note(error: str, outcome: str) -> str:
        """What a worker that lost its lease writes on its attempt (whose outcome is LEASE_LOST)."""
        return f"{outcome}: {error} ({LEASE_LOST})" if error else f"{outcome}: {LEASE_LOST}"

    def _write_result(
        self,
        delivery: Delivery,
        changes: dict[str, object],
        attempt: DeliveryAttempt,
        then_start: Delivery | None,
        now: dt.datetime,
    ) -> tuple[bool, bool]:
        """PostgreSQL: the fenced UPDATE, the attempt's INSERT and the next delivery's start as one
        statement (in autocommit, one round trip and one commit). Returns whether the delivery was still
        this worker's to update, and whether the next one's start was recorded."""
        table, fields = Delivery._meta.db_table, Delivery._meta
        assignments, params = [], []
        for name, value in changes.items():
            field = fields.get_field(name)
            assert isinstance(field, Field)
            assignments.append(f"{connection.ops.quote_name(str(field.column))} = %s")
            params.append(field.get_db_prep_save(value, connection))
        log_table = DeliveryAttempt._meta.db_table
        # The attempt is written only while the delivery exists: it may have been deleted with its
        # order or webhook endpoint while it was being sent.
        sql = f"""
            WITH applied AS (
                UPDATE {table} SET {", ".join(assignments)}
                WHERE id = %s AND status = %s AND worker = %s AND lease_until = %s
                RETURNING id
            ), logged AS (
                INSERT INTO {log_table} (delivery_id, started_at, duration_ms, outcome, error, worker)
                SELECT id, %s, %s,
                       CASE WHEN EXISTS (SELECT FROM applied) THEN %s ELSE %s END,
                       CASE WHEN EXISTS (SELECT FROM applied) THEN %s ELSE %s END, %s
                FROM {table} WHERE id = %s
            ), started AS (
                UPDATE {table} SET send_started_at = %s, attempts = attempts + 1
                WHERE id = %s AND status = %s AND worker = %s AND lease_until = %s
                AND send_started_at IS NULL
                RETURNING id
            )
            SELECT EXISTS (SELECT FROM applied), EXISTS (SELECT FROM started)
        """
        params += [delivery.pk, Status.SENDING, self.name, delivery.lease_until]
        lost = DeliveryAttempt.Outcome.LEASE_LOST
        params += [attempt.started_at, attempt.duration_ms, attempt.outcome, lost]
        params += [attempt.error, self._lost_note(attempt.error, attempt.outcome), self.name, delivery.pk]
        # Without a next delivery the last UPDATE matches nothing (id 0).
        following = (then_start.pk, then_start.lease_until) if then_start is not None else (0, None)
        params += [now, following[0], Status.SENDING, self.name, following[1]]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return (bool(row[0]), bool(row[1])) if row else (False, False)

    def _release(self, deliveries: list[Delivery]) -> None:
        """Give back what this worker claimed but will not send (stopping, or the lease is running out):
        its send never started, so it costs no attempt."""
        leases = {delivery.lease_until for delivery in deliveries}  # one claim, so one lease
        Delivery.objects.filter(
            pk__in=[delivery.pk for delivery in deliveries],
            status=Status.SENDING,
            worker=self.name,
            lease_until__in=leases,
            send_started_at__isnull=True,
        ).update(status=Status.PENDING, lease_until=None)

    # -- the loop ----------------------------------------------------------------------------------

    def run_once(self) -> int:
        self._tune_session()
        return self.process(self.claim())

    def run(self) -> None:
        log.info("worker %s started", self.name)
        failures = 0
        self._keep_transports = True
        pooled = self.lane is not None and all(registry.side_by_side(key) for key in self.channels)
        if pooled and settings.WORKER_CONCURRENCY > 1:
            # A lane of slow outside servers keeps its threads busy: a new claim as soon as one is free,
            # not once the slowest send of the last batch is done.
            self._pool = ThreadPoolExecutor(settings.WORKER_CONCURRENCY, thread_name_prefix=self.name)
        try:
            while not self.stop.is_set():
                try:
                    close_old_connections()
                    if self._listener is None:
                        self._listen()
                    self._tune_session()
                    if self._pool is not None:
                        free = self._free_slots()
                        if not free:
                            continue
                        claimed = self.claim(limit=free)
                        self._hand_over(claimed)
                        full = len(claimed) >= free
                    else:
                        claimed = self.claim()
                        self.process(claimed)
                        full = len(claimed) >= self.batch_size
                    failures = 0
                    if full:
                        continue  # there may be more
                    # Nothing more was due when this claim ran: wait for a NOTIFY (one that came during
                    # the batch wakes it at once) or for what is known to fall due. Only an empty claim
                    # asks the database when that is; after a short batch, retries this worker set and
                    # anything else due within IDLE_CAP_SECONDS are found when the wait ends.
                    seconds = self._idle_seconds() if not claimed else self._known_idle_seconds()
                    # No pause to let a burst land before claiming: tried (5 ms), it doubled the p95
                    # latency to the first attempt on a loaded machine (bench/README.md).
                    if not self._wait(seconds):
                        self._close_transports()  # idle: let go of the SMTP connection and the like
                except Exception:
                    # The database restarting, a lock held too long, a dropped LISTEN connection: log,
                    # back off, reconnect. What this worker had claimed comes back when its lease ends.
                    failures += 1
                    log.exception("worker %s: step failed (%d in a row); retrying", self.name, failures)
                    self._close_transports()
                    self._unlisten()
                    connection.close()
                    self._sleep(min(30.0, 0.5 * 2**failures))
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)  # the sends under way end within their time budget
                self._pool, self._in_flight = None, set()
            self._close_transports()
            self._keep_transports = False
            self._unlisten()
            log.info("worker %s stopped", self.name)

    def _free_slots(self) -> int:
        """How many more sends the pool can start now (waiting a moment for one to end when none can)."""
        self._in_flight = {future for future in self._in_flight if not future.done()}
        if len(self._in_flight) >= settings.WORKER_CONCURRENCY:
            futures.wait(self._in_flight, timeout=STOP_CHECK_SECONDS, return_when=futures.FIRST_COMPLETED)
            self._in_flight = {future for future in self._in_flight if not future.done()}
        return max(0, settings.WORKER_CONCURRENCY - len(self._in_flight))

    def _hand_over(self, claimed: list[Delivery]) -> None:
        """Start each claimed delivery's send on the pool; their lease is this claim's."""
        assert self._pool is not None
        deadline = self._lease_started + self.lease.total_seconds() * 0.8
        for delivery in claimed:
            kind = transport_kind(delivery.channel)
            self._in_flight.add(self._pool.submit(self._send_alone, kind, delivery, None, deadline))

    def _tune_session(self) -> None:
        """Name this worker's PostgreSQL session after it (a claim taking over an expired lease tells a
        killed worker from a slow one by it), and with WORKER_SYNCHRONOUS_COMMIT=false let it commit
        without waiting for the WAL flush (see the module docstring for what a crash can then cost)."""
        if connection.vendor != "postgresql":
            return
        connection.ensure_connection()
        if connection.connection is not self._tuned:  # once per database connection
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('application_name', %s, false)", [self._session_name])
                if not settings.WORKER_SYNCHRONOUS_COMMIT:
                    cursor.execute("SET synchronous_commit = off")
            self._tuned = connection.connection

    @property
    def _session_name(self) -> str:
        return self.name[:APPLICATION_NAME_MAX]

    def _known_idle_seconds(self) -> float:
        cap = IDLE_CAP_SECONDS if self._listener else settings.WORKER_POLL_SECONDS
        if self._next_due is None:
            return cap
        return max(0.0, min(cap, (self._next_due - timezone.now()).total_seconds()))

    def _idle_seconds(self) -> float:
        """Until the next held delivery falls due, at most a few seconds (expired leases are checked too)."""
        pending = Delivery.objects.filter(status=Status.PENDING, channel__in=self.channels)
        self._next_due = pending.aggregate(at=Min("due_at"))["at"]
        return self._known_idle_seconds()

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
            application_name=self._session_name,
        )
        for channel in self._wake_channels:
            listener.execute(f"LISTEN {channel}")
        listener.execute(f"SET lock_timeout = '{WAITER_LOCK_TIMEOUT}'")
        self._listener = listener
        self._waiting_turn = False

    def _unlisten(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()  # lets go of the waiter lock too
            self._listener = None
        self._waiting_turn = False

    @property
    def _waiter_lock(self) -> tuple[int, int]:
        return WAITER_LOCK_CLASS, zlib.crc32((self.lane or "*").encode()) & 0x7FFFFFFF

    def _take_waiting_turn(self, end: float) -> bool:
        """Become the lane's waiting worker, waiting for the one that is until `end` (or until asked to
        stop). Its session holds the lock while it waits and while it sends what a NOTIFY brought;
        it lets go when a claim fills a batch (more may be due: another worker starts on it) or when
        it stops (a killed worker's session ends, and its lock with it)."""
        assert self._listener is not None
        while not self._waiting_turn and not self.stop.is_set() and time.monotonic() < end:
            try:
                self._listener.execute("SELECT pg_advisory_lock(%s, %s)", self._waiter_lock)
                self._waiting_turn = True
            except psycopg.errors.LockNotAvailable:
                continue  # lock_timeout: look at `stop` and `end`, then wait again
        return self._waiting_turn

    def _give_up_waiting(self) -> None:
        if self._waiting_turn and self._listener is not None:
            self._listener.execute("SELECT pg_advisory_unlock(%s, %s)", self._waiter_lock)
        self._waiting_turn = False

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

    def _wait(self, seconds: float) -> bool:
        """Wait up to `seconds`; True when woken by a NOTIFY (or at once, when there is no time to wait)."""
        if seconds <= 0:
            return True
        if self._listener is None:
            self._sleep(seconds)
            return False
        # Only the lane's waiting worker waits for NOTIFYs; the others wait for that turn (their
        # NOTIFYs queue meanwhile, and one queued when the turn comes wakes them at once).
        end = time.monotonic() + seconds
        if not self._take_waiting_turn(end):
            return False
        # Wake on the first NOTIFY, and look at `stop` often.
        while not self.stop.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return False
            heard = self._listener.notifies(timeout=min(left, STOP_CHECK_SECONDS), stop_after=1)
            try:
                woken = any(True for _notify in heard)
            finally:
                heard.close()  # lets go of the connection's lock
            if woken:
                self._drain()
                return True
        return False

    def _drain(self) -> None:
        """Forget the NOTIFYs already received: the claim that follows takes every change they announced
        (each was sent after its change committed), so each would only wake this worker to no purpose."""
        assert self._listener is not None
        for _notify in self._listener.notifies(timeout=0):
            pass
