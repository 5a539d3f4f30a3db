"""The order and its events as other systems see them. The API answers with these shapes (its schemas
describe them) and webhooks carry them, so both say the same thing about an order; neither builds its own.

Plain dicts of plain values; `as_json` writes one as the API's renderer does (datetimes in ISO 8601 to the
millisecond, UTC as "Z"), which is how a webhook stores it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from orderflow.orders.models import Order, OrderEvent, OrderLine, Shipment, totals_of

CENT = Decimal("0.01")


def line_shape(line: OrderLine) -> dict[str, Any]:
    return {
        "position": line.position,
        "sku": line.sku,
        "description": line.description,
        "quantity": f"{line.quantity.normalize():f}",  # "100", never "1E+2"
        "unit_price": None if line.unit_price is None else str(line.unit_price),
        "amount": None if line.amount is None else str(line.amount),
        "backup_description": line.backup_description,
        "status": line.status,
        "substitute_description": line.substitute_description,
        "item_id": line.item_id,
        "backup_item_id": line.backup_item_id,
        "substitute_item_id": line.substitute_item_id,
        "tax_rate": f"{line.tax_rate.normalize():f}",
        "tax": None if line.tax_amount is None else str(line.tax_amount),
    }


def shipment_shape(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.pk,
        "carrier": shipment.carrier_name,
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "estimated_delivery": shipment.estimated_delivery,
        "shipped_at": shipment.shipped_at,
    }


def order_shape(order: Order, *, refunded: Decimal | None = None) -> dict[str, Any]:
    """Expects lines and shipments prefetched and seller, order_type, workflow_version, customer, placed_by,
    assignee__user selected when called for many orders (see orders.selectors), and `refunded`
    (the sum of its refunds) given, or it is queried."""
    state = order.current_state
    locale = order.seller.locale
    lines = list(order.lines.all())
    totals = totals_of(lines)
    placed_by, assignee = order.placed_by, order.assignee
    return {
        "number": order.number,
        "title": order.title,
        "order_type": order.order_type.key,
        "workflow_version": order.workflow_version.number,
        "state": order.state,
        "state_label": state.label(locale),
        "customer_state_label": state.customer_label(locale),
        "category": state.category,
        "final": state.final,
        "customer": {"id": order.customer_id, "name": order.customer.name},
        "placed_by": {"id": placed_by.pk, "name": placed_by.name} if placed_by else None,
        "assignee": {"id": assignee.pk, "name": assignee.display_name} if assignee else None,
        "customer_notes": order.customer_notes,
        "internal_notes": order.internal_notes,
        "currency": order.currency,
        "subtotal": str(totals.subtotal),
        "tax": str(totals.tax),
        "total": str(totals.total),
        "fulfilment": order.fulfilment,
        # Quantized here: SQLite's sums come back without their scale ("30" for 30.00).
        "refunded": str((order.refunded_total() if refunded is None else refunded).quantize(CENT)),
        "submitted_at": order.submitted_at,
        "last_activity_at": order.last_activity_at,
        "seen_at": order.seen_at,
        "closed_at": order.closed_at,
        "estimated_completion": order.estimated_completion,
        "cancel_reason": order.cancel_reason,
        "archived": order.archived,
        "version": order.version,
        "lines": [line_shape(line) for line in lines],
        "shipments": [shipment_shape(shipment) for shipment in order.shipments.all()],
    }


def event_shape(event: OrderEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "type": event.type,
        "actor": {"kind": event.actor_kind, "name": event.actor_name},
        "from_state": event.from_state,
        "to_state": event.to_state,
        "note": event.note,
        "data": event.data,
        "created_at": event.created_at,
    }


def as_json(shape: dict[str, Any]) -> dict[str, Any]:
    """The shape as the API's JSON gives it: what a webhook carries."""
    loaded: dict[str, Any] = json.loads(json.dumps(shape, cls=DjangoJSONEncoder))
    return loaded
