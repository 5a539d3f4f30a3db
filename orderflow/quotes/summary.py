"""The product summary of a quote that a customer confirmation shows: what is proposed, never its prices.

It is built once, as JSON, when the approval page is shown; the page renders from that JSON and the
acceptance stores the very same JSON, so what is kept is what was shown (source article 003)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orderflow.quotes.models import Quote

SUMMARY_VERSION = 1


def _quantity(value: Decimal) -> str:
    """3.000 -> "3", 2.500 -> "2.5": as typed, without trailing zeros (never in exponent form)."""
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def summary_of(quote: Quote) -> dict[str, Any]:
    """The summary of this quote version: customer, order, items and quantities, completion date.
    No price, tax or total is in it: the keys are listed here and nowhere else."""
    order = quote.order
    return {
        "v": SUMMARY_VERSION,
        "seller": order.seller.name,
        "customer": order.customer.name,
        "order_number": order.number,
        "order_title": order.title,
        "quote_version": quote.version,
        "completion_on": quote.completion_on.isoformat() if quote.completion_on else None,
        "items": [
            {"description": line.description, "sku": line.sku, "quantity": _quantity(line.quantity)}
            for line in quote.lines.order_by("position")
        ],
    }
