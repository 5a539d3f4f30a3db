"""Exporting participants and leads: a file now, a file in the background for My downloads (with an
email when it is ready), and schedules that put a fresh file in chosen staff members' downloads every
day, week or month and tell them by email (a link to My downloads; the email channel sends no
attachments). Downloads expire after DOWNLOAD_DAYS and a task removes them."""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from typing import IO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from orderflow.accounts.models import Membership, Seller
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.core.periodic import periodic
from orderflow.leads.models import Person
from orderflow.notifications import outbox
from orderflow.orders.models import Order
from orderflow.transfers import writers
from orderflow.transfers.access import check_kind, check_may_transfer
from orderflow.transfers.models import Download, DownloadStatus, ExportSchedule, Frequency

DOWNLOAD_DAYS = 7
MAX_ORDERS = 500


def _check_format(file_format: str) -> None:
    if file_format not in writers.FORMATS:
        raise ActionError("unknown_format", _("Choose CSV or XLSX."), details={"field": "file_format"})


def _staff(actor: Actor, seller_id: int) -> Membership:
    member = actor.membership
    if actor.kind != "staff" or member is None or member.seller_id != seller_id or not member.is_active:
        raise Forbidden("forbidden", _("Only the seller's staff can export people."))
    return member


def people_of(order: Order, kind: str) -> QuerySet[Person]:
    return Person.objects.filter(order=order, kind=kind)


# ----------------------------------------------------------------------------------------------
# Now


def export_people_now(
    order: Order, *, actor: Actor, kind: str, file_format: str, language: str
) -> tuple[str, IO[bytes]]:
    """The order's leads or participants as a file: (file name, the file rewound). Staff only; a
    contact's export is their own portal's business."""
    _staff(actor, order.seller_id)
    check_may_transfer(actor, order, kind)
    _check_format(file_format)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
    tz = ZoneInfo(order.seller.time_zone)
    writers.write(file_format, writers.headers(language), writers.rows(people_of(order, kind), tz), out)
    out.seek(0)
    return f"order-{order.number}-{kind}s.{file_format}", out


# ----------------------------------------------------------------------------------------------
# My downloads


def request_people_export(
    seller: Seller,
    *,
    actor: Actor,
    order_numbers: list[int],
    kind: str = "participant",
    since: dt.date | None = None,
    file_format: str = "xlsx",
) -> Download:
    """Queue an export of the people of these orders (only those added on or after `since`) into the
    actor's downloads. Orders of other sellers are refused as unknown."""
    member = _staff(actor, seller.pk)
    check_kind(kind)
    _check_format(file_format)
    numbers = sorted(set(order_numbers))
    if not numbers or len(numbers) > MAX_ORDERS:
        raise ActionError(
            "no_orders",
            _("Choose from 1 to %(limit)s orders.") % {"limit": MAX_ORDERS},
            details={"field": "orders"},
        )
    ids = list(Order.objects.filter(seller=seller, number__in=numbers).values_list("id", flat=True))
    if len(ids) != len(numbers):
        raise ActionError(
            "unknown_order", _("Some of these orders do not exist."), details={"field": "orders"}
        )
    with translation.override(member.reading_language):
        what = _("Participants") if kind == "participant" else _("Leads")
        title = (
            _("%(what)s of %(count)s orders") % {"what": what, "count": len(ids)}
            if len(ids) > 1
            else _("%(what)s of order %(number)s") % {"what": what, "number": numbers[0]}
        )
        if since is not None:
            title += " " + _("(added since %(date)s)") % {"date": since.isoformat()}
    return _queue_download(
        member, title=title, kind=kind, order_ids=ids, since=since, file_format=file_format, tell=True
    )


def _queue_download(
    member: Membership,
    *,
    title: str,
    kind: str,
    order_ids: list[int],
    since: dt.date | None,
    file_format: str,
    tell: bool,
) -> Download:
    now = timezone.now()
    with transaction.atomic():
        download = Download.objects.create(
            seller_id=member.seller_id,
            membership=member,
            title=title[:200],
            file_name=f"{kind}s-{now:%Y%m%d-%H%M}.{file_format}",
            file_format=file_format,
            request={
                "kind": kind,
                "orders": order_ids,
                "since": since.isoformat() if since else None,
                "tell": tell,
            },
            expires_at=now + dt.timedelta(days=DOWNLOAD_DAYS),
        )
        transaction.on_commit(lambda: build_download.enqueue(download.pk))
    return download


@task()
def build_download(download_id: int) -> str:
    """Write the file of a queued download, then tell its owner (once: a second run does nothing)."""
    download = (
        Download.objects.select_related("membership__user", "membership__seller")
        .filter(pk=download_id, status=DownloadStatus.PENDING)
        .first()
    )
    if download is None:
        return "already built"
    member = download.membership
    people = Person.objects.filter(
        order_id__in=download.request["orders"],
        kind=download.request["kind"],
        order__seller_id=download.seller_id,
    )
    if download.request.get("since"):
        people = people.filter(created_at__date__gte=dt.date.fromisoformat(download.request["since"]))
    try:
        stored, size, count = _write_download(download, people, member)
    except Exception:
        Download.objects.filter(pk=download.pk).update(status=DownloadStatus.FAILED)
        raise
    with transaction.atomic():
        updated = Download.objects.filter(pk=download.pk, status=DownloadStatus.PENDING).update(
            status=DownloadStatus.READY, stored_file=stored, size=size, row_count=count
        )
        if updated and download.request.get("tell") and member.user.email:
            outbox.tell_person(
                download.seller_id,
                email=member.user.email,
                name=member.display_name,
                locale=member.reading_language,
                template="export_ready",
                payload={
                    "title": download.title,
                    "valid_days": str(DOWNLOAD_DAYS),
                    "action_url": settings.SITE_URL
                    + reverse("downloads", kwargs={"seller_slug": member.seller.slug}),
                },
                reason=f"{member.display_name} asked for this export.",
                membership=member,
            )
    if not updated:
        default_storage.delete(stored)
    return DownloadStatus.READY


def _write_download(download: Download, people: QuerySet[Person], member: Membership) -> tuple[str, int, int]:
    with tempfile.TemporaryFile() as out:
        count = writers.write(
            download.file_format,
            writers.headers(member.reading_language),
            writers.rows(people, ZoneInfo(member.seller.time_zone)),
            out,
        )
        size = out.tell()
        out.seek(0)
        stored = default_storage.save(f"downloads/{uuid.uuid4().hex}.{download.file_format}", File(out))
    return stored, size, count


def remove_download(download: Download, *, actor: Actor) -> None:
    member = _staff(actor, download.seller_id)
    if download.membership_id != member.pk:
        raise Forbidden("forbidden", _("This download is someone else's."))
    _delete(download)


def _delete(download: Download) -> None:
    if download.stored_file:
        default_storage.delete(download.stored_file)
    download.delete()


@task()
@periodic
def purge_expired_downloads() -> int:
    """Remove the downloads past their expiry, files and rows."""
    expired = list(Download.objects.filter(expires_at__lte=timezone.now()))
    for download in expired:
        _delete(download)
    return len(expired)


# ----------------------------------------------------------------------------------------------
# Schedules


def next_run(after: dt.datetime, frequency: str) -> dt.datetime:
    if frequency == Frequency.DAILY:
        return after + dt.timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        return after + dt.timedelta(weeks=1)
    month = after.month % 12 + 1
    year = after.year + (after.month == 12)
    day = min(after.day, 28)
    return after.replace(year=year, month=month, day=day)


def schedule_export(
    order: Order,
    *,
    actor: Actor,
    kind: str,
    frequency: str,
    file_format: str,
    recipients: list[Membership],
) -> ExportSchedule:
    """Export the order's people every day, week or month to these staff members (the first run a
    period from now). Recipients must be active staff of the seller."""
    member = _staff(actor, order.seller_id)
    check_kind(kind)
    _check_format(file_format)
    if frequency not in Frequency.values:
        raise ActionError(
            "unknown_frequency", _("Choose every day, week or month."), details={"field": "frequency"}
        )
    if not recipients:
        raise ActionError(
            "no_recipients", _("Choose who receives the export."), details={"field": "recipients"}
        )
    if any(person.seller_id != order.seller_id or not person.is_active for person in recipients):
        raise ActionError(
            "unknown_recipient", _("Choose staff members of this seller."), details={"field": "recipients"}
        )
    with transaction.atomic():
        schedule = ExportSchedule.objects.create(
            seller_id=order.seller_id,
            order=order,
            kind=kind,
            frequency=frequency,
            file_format=file_format,
            next_run_at=next_run(timezone.now(), frequency),
            created_by=member,
        )
        schedule.recipients.set(recipients)
    return schedule


def set_schedule_paused(schedule: ExportSchedule, *, actor: Actor, paused: bool) -> ExportSchedule:
    _staff(actor, schedule.seller_id)
    schedule.paused = paused
    if not paused and schedule.next_run_at < timezone.now():
        schedule.next_run_at = next_run(timezone.now(), schedule.frequency)
    schedule.save(update_fields=["paused", "next_run_at"])
    return schedule


def remove_schedule(schedule: ExportSchedule, *, actor: Actor) -> None:
    _staff(actor, schedule.seller_id)
    schedule.delete()


@task()
@periodic
def run_due_schedules() -> int:
    """Run every schedule that is due: a download for each recipient, an email each. A schedule is
    claimed by moving its next run (compare-and-swap), so two workers never run it twice."""
    now = timezone.now()
    ran = 0
    for schedule in ExportSchedule.objects.filter(paused=False, next_run_at__lte=now).select_related("order"):
        claimed = ExportSchedule.objects.filter(
            pk=schedule.pk, next_run_at=schedule.next_run_at, paused=False
        ).update(
            next_run_at=next_run(max(schedule.next_run_at, now - dt.timedelta(days=1)), schedule.frequency),
            last_run_at=now,
        )
        if not claimed:
            continue
        for member in schedule.recipients.filter(is_active=True).select_related("seller"):
            with translation.override(member.reading_language):
                what = _("Leads") if schedule.kind == "lead" else _("Participants")
                title = _("%(frequency)s: %(what)s of order %(number)s") % {
                    "frequency": Frequency(schedule.frequency).label,
                    "what": what,
                    "number": schedule.order.number,
                }
            _queue_download(
                member,
                title=title,
                kind=schedule.kind,
                order_ids=[schedule.order_id],
                since=None,
                file_format=schedule.file_format,
                tell=True,
            )
        ran += 1
    return ran
