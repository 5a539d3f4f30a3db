"""Refunds: allowed in any state, final ones included, up to what the order cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.core.formatting import money
from orderflow.notifications.emit import notify
from orderflow.orders.actions.common import (
    MAX_NOTE,
    _check_staff,
    _decimal,
    _locked,
    _record,
    _save,
    _text,
)
from orderflow.orders.models import EventType, Order, OrderEvent, Refund


def refund_order(
    order: Order, *, amount: Decimal | str, reason: str, actor: Actor, expected_version: int | None = None
) -> Refund:
    """Refund part or all of an order. Allowed in any state, final ones included."""
    reason = _text(reason, _("reason"), MAX_NOTE, field="reason")
    if not reason:
        raise ActionError("reason_required", _("Give a reason for the refund."), details={"field": "reason"})
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        refund, event = _refund(order, amount=amount, reason=reason, actor=actor, at=timezone.now())
        _save(order, {})
        notify(event, order=order)
    return refund


def _refund(
    order: Order, *, amount: Decimal | str, reason: str, actor: Actor, at: dt.datetime
) -> tuple[Refund, OrderEvent]:
    """Caller holds the order lock, and tells people of the event at its end."""
    _check_staff(order, actor)
    value = _decimal(amount, _("The refund amount"), places=2, below=Decimal("1e10"), field="amount")
    if value <= 0:
        raise ActionError("invalid", _("The refund amount must be more than 0."), details={"field": "amount"})
    available = order.total() - order.refunded_total()
    if value > available:
        raise ActionError(
            "refund_too_large",
            _("At most %(available)s can still be refunded on this order.")
            % {"available": money(available, order.currency)},
            details={"field": "amount", "available": str(available)},
        )
    refund = Refund.objects.create(
        order=order,
        amount=value,
        reason=reason,
        created_at=at,
        created_by_name=actor.name,
        created_by=actor.membership.user if actor.membership else None,
    )
    event = _record(
        order,
        EventType.REFUNDED,
        actor,
        note=reason,
        at=at,
        data={"amount": str(value), "currency": order.currency},
    )
    return refund, event
