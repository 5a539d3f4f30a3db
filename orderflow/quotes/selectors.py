"""Reads of quotes that pages and the API share."""

from __future__ import annotations

from django.utils.translation import gettext as _

from orderflow.core.formatting import day, money
from orderflow.orders.models import EventType, Order, OrderEvent
from orderflow.quotes.models import Quote, QuoteStatus


def quotes_of(order: Order, *, customer: bool = False) -> list[Quote]:
    """Every version of the order's quote, newest first, with its lines; a customer never sees drafts."""
    found = Quote.objects.filter(order=order).prefetch_related("lines").order_by("-version")
    if customer:
        found = found.exclude(status=QuoteStatus.DRAFT)
    return list(found)


def quote_of(order: Order, version: int, *, customer: bool = False) -> Quote | None:
    found = Quote.objects.filter(order=order, version=version).prefetch_related("lines")
    if customer:
        found = found.exclude(status=QuoteStatus.DRAFT)
    return found.first()


QUOTE_EVENT_TYPES = frozenset(
    {
        EventType.QUOTE_DRAFTED,
        EventType.QUOTE_EDITED,
        EventType.QUOTE_SENT,
        EventType.QUOTE_ACCEPTED,
        EventType.QUOTE_DECLINED,
        EventType.QUOTE_EXPIRED,
    }
)


def describe_quote_event(event: OrderEvent) -> str:
    """A quote event of the activity log in one sentence of the active language (staff and customers)."""
    data = event.data or {}
    version = data.get("version", "")
    total = money(data.get("total"), data.get("currency", "")) if data.get("total") else ""
    if event.type == EventType.QUOTE_DRAFTED:
        if data.get("revises"):
            return _("Quote version %(version)s drafted, revising version %(revises)s") % {
                "version": version,
                "revises": data["revises"],
            }
        return _("Quote version %(version)s drafted") % {"version": version}
    if event.type == EventType.QUOTE_EDITED:
        return _("Quote version %(version)s changed") % {"version": version}
    if event.type == EventType.QUOTE_SENT:
        return _("Quote version %(version)s sent: %(total)s, valid until %(date)s") % {
            "version": version,
            "total": total,
            "date": day(data.get("expires_on")),
        }
    if event.type == EventType.QUOTE_ACCEPTED:
        if data.get("on_behalf_of_customer"):
            return _("Quote version %(version)s accepted on the customer's behalf: %(total)s") % {
                "version": version,
                "total": total,
            }
        return _("Quote version %(version)s accepted: %(total)s") % {"version": version, "total": total}
    if event.type == EventType.QUOTE_DECLINED:
        return _("Quote version %(version)s declined") % {"version": version}
    if event.type == EventType.QUOTE_EXPIRED:
        return _("Quote version %(version)s expired") % {"version": version}
    return ""
