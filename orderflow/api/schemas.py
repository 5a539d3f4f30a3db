"""The shapes the API returns, described for OpenAPI. The order and event shapes are built by
`orders.shapes`, which webhooks carry too: these schemas describe and check them, they do not build them.

The order shapes are built with `model_construct`: every value comes from the database already of the
declared type, and validating some hundred objects per page would cost more than the queries. The
schemathesis tests check every response against the published schema instead."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema

from orderflow.orders.models import Order, OrderEvent
from orderflow.orders.shapes import event_shape, order_shape


class Ref(Schema):
    id: int
    name: str


class LineOut(Schema):
    position: int
    sku: str
    description: str
    quantity: str
    unit_price: str | None
    amount: str | None
    backup_description: str
    status: str
    substitute_description: str
    item_id: int | None
    backup_item_id: int | None
    substitute_item_id: int | None
    tax_rate: str
    tax: str | None


class ShipmentOut(Schema):
    id: int
    carrier: str
    tracking_number: str
    tracking_url: str
    estimated_delivery: dt.date | None
    shipped_at: dt.datetime


class OrderOut(Schema):
    number: int
    title: str
    order_type: str
    workflow_version: int
    state: str
    state_label: str
    customer_state_label: str
    category: str
    final: bool
    customer: Ref
    placed_by: Ref | None
    assignee: Ref | None
    customer_notes: str
    internal_notes: str
    currency: str
    subtotal: str
    tax: str
    total: str
    fulfilment: str
    refunded: str
    submitted_at: dt.datetime
    last_activity_at: dt.datetime
    seen_at: dt.datetime | None
    closed_at: dt.datetime | None
    estimated_completion: dt.date | None
    cancel_reason: str
    archived: bool
    version: int
    lines: list[LineOut]
    shipments: list[ShipmentOut]

    @classmethod
    def from_order(cls, order: Order, *, refunded: Decimal | None = None) -> OrderOut:
        """`orders.shapes.order_shape`, which says what it expects loaded, as this schema."""
        shape = order_shape(order, refunded=refunded)
        people = {
            name: None if shape[name] is None else Ref.model_construct(**shape[name])
            for name in ("placed_by", "assignee")
        }
        return cls.model_construct(
            **{
                **shape,
                **people,
                "customer": Ref.model_construct(**shape["customer"]),
                "lines": [LineOut.model_construct(**line) for line in shape["lines"]],
                "shipments": [ShipmentOut.model_construct(**item) for item in shape["shipments"]],
            }
        )


class ActorOut(Schema):
    kind: str
    name: str


class EventOut(Schema):
    id: int
    type: str
    actor: ActorOut
    from_state: str
    to_state: str
    note: str
    data: dict[str, Any]
    created_at: dt.datetime

    @classmethod
    def from_event(cls, event: OrderEvent) -> EventOut:
        return cls(**event_shape(event))


class TransitionOptionOut(Schema):
    to: str
    label: str
    note: str  # "none", "optional" or "required"


class OrderDetailOut(OrderOut):
    """One order as GET /orders/{number} and every change return it: with the moves the token may
    make next."""

    available_transitions: list[TransitionOptionOut]
