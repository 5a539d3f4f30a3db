"""The shapes the API returns (and webhooks carry). Built from models by explicit constructors so that
the wire format does not change when a model does.

The order shapes are built with `model_construct`: every value comes from the database already of the
declared type, and validating some hundred objects per page would cost more than the queries. The
schemathesis tests check every response against the published schema instead."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema

from orderflow.orders.models import Order, OrderEvent, OrderLine

CENT = Decimal("0.01")


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

    @classmethod
    def from_line(cls, line: OrderLine) -> LineOut:
        return cls.model_construct(
            position=line.position,
            sku=line.sku,
            description=line.description,
            quantity=f"{line.quantity.normalize():f}",  # "100", never "1E+2"
            unit_price=None if line.unit_price is None else str(line.unit_price),
            amount=None if line.amount is None else str(line.amount),
            backup_description=line.backup_description,
            status=line.status,
            substitute_description=line.substitute_description,
        )


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
    total: str
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

    @classmethod
    def from_order(cls, order: Order, *, refunded: Decimal | None = None) -> OrderOut:
        """Expects lines prefetched and seller, order_type, workflow_version, customer, placed_by,
        assignee__user selected when called for many orders (see orders.selectors), and `refunded`
        (the sum of its refunds) given, or it is queried."""
        state = order.current_state
        locale = order.seller.locale
        lines = list(order.lines.all())
        total = sum((line.amount for line in lines if line.amount is not None), start=Decimal(0))
        return cls.model_construct(
            number=order.number,
            title=order.title,
            order_type=order.order_type.key,
            workflow_version=order.workflow_version.number,
            state=order.state,
            state_label=state.label(locale),
            customer_state_label=state.customer_label(locale),
            category=state.category,
            final=state.final,
            customer=Ref.model_construct(id=order.customer_id, name=order.customer.name),
            placed_by=Ref.model_construct(id=order.placed_by.pk, name=order.placed_by.name)
            if order.placed_by
            else None,
            assignee=Ref.model_construct(id=order.assignee.pk, name=order.assignee.display_name)
            if order.assignee
            else None,
            customer_notes=order.customer_notes,
            internal_notes=order.internal_notes,
            currency=order.currency,
            total=str(total.quantize(CENT)),
            # Quantized here: SQLite's sums come back without their scale ("30" for 30.00).
            refunded=str((order.refunded_total() if refunded is None else refunded).quantize(CENT)),
            submitted_at=order.submitted_at,
            last_activity_at=order.last_activity_at,
            seen_at=order.seen_at,
            closed_at=order.closed_at,
            estimated_completion=order.estimated_completion,
            cancel_reason=order.cancel_reason,
            archived=order.archived,
            version=order.version,
            lines=[LineOut.from_line(line) for line in lines],
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
        return cls(
            id=event.pk,
            type=event.type,
            actor=ActorOut(kind=event.actor_kind, name=event.actor_name),
            from_state=event.from_state,
            to_state=event.to_state,
            note=event.note,
            data=event.data,
            created_at=event.created_at,
        )


class TransitionOptionOut(Schema):
    to: str
    label: str
    note: str  # "none", "optional" or "required"


class OrderDetailOut(OrderOut):
    """One order as GET /orders/{number} and every change return it: with the moves the token may
    make next."""

    available_transitions: list[TransitionOptionOut]
