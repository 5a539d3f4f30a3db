"""Bench-only workers with the changes bench/README.md recommends for orderflow/notifications/worker.py,
so that their effect can be measured before anyone makes them. Not imported by the product.

`worker_class("batch")`:
1. renders a claimed batch from one `render.preload(...)` (two queries per batch instead of two per
   message);
2. writes a batch's results together: one fenced UPDATE for the sent deliveries and one INSERT of their
   attempts, in one transaction, instead of an UPDATE, an INSERT and a commit per delivery. Failures
   (rare) are still recorded one by one by the product's `_record`.
   The send loop is the product's otherwise: one transport per channel kind, the stop and lease checks,
   errors classified the same way. One difference in behaviour: results are written after the batch,
   so a worker killed mid-batch leaves every message it sent in that batch to be sent again (same
   Message-ID), where the product leaves at most one.

`worker_class("row")` keeps the product's guarantee (each result written right after its send) and
only makes that write cheaper: 1. as above; 2. a sent result is one statement in autocommit (a CTE that
updates the delivery, fenced by the lease, and inserts the attempt) instead of UPDATE, INSERT, COMMIT.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("bench.prototype")


@dataclass
class Result:
    delivery: Any
    started: dt.datetime
    ms: int
    error: str = ""
    permanent: bool = False


def worker_class(kind: str = "batch") -> type:
    from django.db import transaction
    from django.utils import timezone

    from orderflow.notifications import render as render_module
    from orderflow.notifications import worker as worker_module
    from orderflow.notifications.channels import Outgoing, TransportError
    from orderflow.notifications.models import Delivery, DeliveryAttempt, Status
    from orderflow.notifications.render import TemplateProblem

    class PrototypeWorker(worker_module.Worker):
        preload = staticmethod(render_module.preload)

        def process(self, deliveries: Iterable[Delivery]) -> int:
            items = list(deliveries)
            if not items:
                return 0
            batch = self.preload(d.notification for d in items)
            groups: dict[str, list[Delivery]] = defaultdict(list)
            for delivery in items:
                groups[worker_module.transport_kind(delivery.channel)].append(delivery)
            deadline = self._lease_started + self.lease.total_seconds() * 0.8
            results: list[Result] = []
            try:
                for kind, group in groups.items():
                    try:
                        transport = worker_module.transport_class(kind)()
                    except ImportError:
                        now = timezone.now()
                        results += [
                            Result(d, now, 0, f"There is no transport for {kind!r}.", True) for d in group
                        ]
                        continue
                    transport.open()
                    try:
                        for index, delivery in enumerate(group):
                            if self.stop.is_set() or time.monotonic() > deadline:
                                self._release(group[index:])
                                break
                            results.append(self._attempt(transport, delivery, batch))
                    finally:
                        transport.close()
            finally:
                self._record_all(results)
            return len(results)

        def _attempt(self, transport: Any, delivery: Delivery, batch: Any) -> Result:
            started, clock = timezone.now(), time.perf_counter()
            error, permanent = "", False
            try:
                rendered = worker_module.render(delivery.notification, batch=batch)
                transport.send(Outgoing(delivery=delivery, rendered=rendered))
            except TemplateProblem as exc:
                error, permanent = f"The message could not be written: {exc}", True
            except TransportError as exc:
                error, permanent = str(exc), exc.permanent
            except Exception as exc:
                log.exception("delivery %s failed unexpectedly", delivery.pk)
                error = f"Unexpected error: {type(exc).__name__}: {exc}"
            return Result(delivery, started, int((time.perf_counter() - clock) * 1000), error, permanent)

        def _record_all(self, results: list[Result]) -> None:
            sent = [r for r in results if not r.error]
            if sent:
                now = timezone.now()
                ids = [r.delivery.pk for r in sent]
                leases = {r.delivery.lease_until for r in sent}  # one claim: one lease
                with transaction.atomic():
                    applied = Delivery.objects.filter(
                        pk__in=ids, status=Status.SENDING, worker=self.name, lease_until__in=leases
                    ).update(status=Status.SENT, sent_at=now, lease_until=None, error="")
                    held = set(ids)
                    if applied != len(ids):  # some leases were taken over: find which rows were ours
                        held = set(
                            Delivery.objects.filter(
                                pk__in=ids, status=Status.SENT, worker=self.name, sent_at=now
                            ).values_list("pk", flat=True)
                        )
                    DeliveryAttempt.objects.bulk_create(
                        DeliveryAttempt(
                            delivery=r.delivery,
                            started_at=r.started,
                            duration_ms=r.ms,
                            outcome=DeliveryAttempt.Outcome.SENT,
                            error="" if r.delivery.pk in held else worker_module.LEASE_LOST,
                            worker=self.name,
                        )
                        for r in sent
                    )
            for r in results:
                if r.error:
                    self._record(r.delivery, r.started, r.ms, r.error, r.permanent)

    class RowPrototypeWorker(worker_module.Worker):
        preload = staticmethod(render_module.preload)

        def process(self, deliveries: Iterable[Delivery]) -> int:
            items = list(deliveries)
            self._batch = self.preload(d.notification for d in items) if items else None
            return super().process(items)

        def _send_one(self, transport: Any, delivery: Delivery) -> None:
            # The product's _send_one, rendering from the batch.
            started, clock = timezone.now(), time.perf_counter()
            error, permanent = "", False
            try:
                rendered = worker_module.render(delivery.notification, batch=self._batch)
                transport.send(Outgoing(delivery=delivery, rendered=rendered))
            except TemplateProblem as exc:
                error, permanent = f"The message could not be written: {exc}", True
            except TransportError as exc:
                error, permanent = str(exc), exc.permanent
            except Exception as exc:
                log.exception("delivery %s failed unexpectedly", delivery.pk)
                error = f"Unexpected error: {type(exc).__name__}: {exc}"
            self._record(delivery, started, int((time.perf_counter() - clock) * 1000), error, permanent)

        def _record(
            self, delivery: Delivery, started: dt.datetime, ms: int, error: str, permanent: bool
        ) -> None:
            if error or transaction.get_connection().in_atomic_block:
                super()._record(delivery, started, ms, error, permanent)
                return
            deliveries, attempts = Delivery._meta.db_table, DeliveryAttempt._meta.db_table
            with transaction.get_connection().cursor() as cursor:
                cursor.execute(
                    f"""
                    WITH applied AS (
                        UPDATE {deliveries} SET status = %s, sent_at = %s, lease_until = NULL, error = ''
                        WHERE id = %s AND status = %s AND worker = %s AND lease_until = %s
                        RETURNING id
                    )
                    INSERT INTO {attempts} (delivery_id, started_at, duration_ms, outcome, error, worker)
                    SELECT %s, %s, %s, %s, CASE WHEN EXISTS (SELECT 1 FROM applied) THEN '' ELSE %s END, %s
                    """,
                    [
                        Status.SENT, timezone.now(), delivery.pk, Status.SENDING, self.name,
                        delivery.lease_until, delivery.pk, started, ms, DeliveryAttempt.Outcome.SENT,
                        worker_module.LEASE_LOST, self.name,
                    ],
                )  # fmt: skip

    return {"batch": PrototypeWorker, "row": RowPrototypeWorker}[kind]
