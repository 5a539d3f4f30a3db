"""Reads the pages and the API share: an import, a member's downloads, an order's schedules, each only
within its seller (and, for downloads, its member)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from orderflow.accounts.models import Membership
from orderflow.orders.models import Order
from orderflow.transfers.models import Download, ExportSchedule, PeopleImport


def import_of(order: Order, import_id: int) -> PeopleImport | None:
    return PeopleImport.objects.filter(order=order, pk=import_id).select_related("order").first()


def downloads_of(member: Membership) -> QuerySet[Download]:
    return Download.objects.filter(membership=member, expires_at__gt=timezone.now())


def download_of(member: Membership, download_id: int) -> Download | None:
    return downloads_of(member).filter(pk=download_id).first()


def schedules_of(order: Order) -> QuerySet[ExportSchedule]:
    return ExportSchedule.objects.filter(order=order).prefetch_related("recipients__user")


def schedule_of(order: Order, schedule_id: int) -> ExportSchedule | None:
    return schedules_of(order).filter(pk=schedule_id).first()
