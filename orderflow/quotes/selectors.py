"""Reads of quotes that pages and the API share."""

from __future__ import annotations

from orderflow.orders.models import Order
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
