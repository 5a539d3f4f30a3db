"""Steps every order action shares: the lock, the compare-and-swap save, the log, the checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict, Forbidden, NotAllowed
from orderflow.orders.actions.indexing import count_change
from orderflow.orders.models import EventType, Order, OrderEvent
from orderflow.workflows.definition import Transition
from orderflow.workflows.selectors import workflow_version

MAX_NOTE = 2000
MAX_INTERNAL_NOTES = 10000
MAX_LINES = 500
MAX_TITLE = 200
MAX_LINE_TEXT = 300  # a line's description, backup item and substitute
MAX_SKU = 60
CENT = Decimal("0.01")


def _locked(order: Order, expected_version: int | None) -> Order:
    """Re-read the order under a row lock (SQLite: the IMMEDIATE transaction's write lock)."""
    locked = Order.objects.select_for_update(of=("self",)).select_related("order_type", "seller")
    fresh = locked.get(pk=order.pk)
    # Versions never change: read once per process, not joined (with their JSON) on every change.
    fresh.workflow_version = workflow_version(fresh.workflow_version_id, fresh.order_type_id)
    if expected_version is not None and fresh.version != expected_version:
        raise Conflict(
            "stale",
            _("This order changed since you opened it. Reload it to see what changed, then try again."),
            details={"current_version": fresh.version},
        )
    return fresh


def _save(order: Order, fields: dict[str, Any], *, touch: bool = True) -> None:
    """Compare-and-swap on the version: a concurrent writer that slipped past the lock loses."""
    if touch:
        fields.setdefault("last_activity_at", timezone.now())
    updated = Order.objects.filter(pk=order.pk, version=order.version).update(
        version=order.version + 1, **fields
    )
    if updated != 1:
        raise Conflict("stale", _("This order changed since you opened it. Reload it and try again."))
    count_change(order, fields)  # before the order takes the new values: it moves from its old counter
    for name, value in fields.items():
        setattr(order, name, value)
    order.version += 1


def _state_fields(order: Order, target: str, now: dt.datetime) -> dict[str, Any]:
    state = order.workflow.state(target)
    fields: dict[str, Any] = {"state": target, "state_category": state.category, "last_activity_at": now}
    if state.final:
        fields["closed_at"] = now
    return fields


def log_event(
    order: Order,
    type: EventType,
    actor: Actor,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    """Append an event for a change another app made to the order (feedback, a chosen delivery time).

    Caller holds the transaction; the order counts as active again. Telling people is the caller's last
    step: `notify(event)`."""
    event = _record(order, type, actor, note=note, data=data)
    Order.objects.filter(pk=order.pk).update(last_activity_at=event.created_at, version=F("version") + 1)
    return event


def _record(
    order: Order,
    type: EventType,
    actor: Actor,
    *,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> OrderEvent:
    """Append to the activity log, in the caller's transaction. The action tells people as its last step,
    `notify(event, order=order)`, once the order holds every change."""
    event = OrderEvent.objects.create(
        order=order,
        seller_id=order.seller_id,
        type=type,
        actor_kind=actor.kind,
        actor_user_id=actor.membership.user_id if actor.membership else None,
        actor_contact=actor.contact,
        actor_name=actor.name[:200],
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
        created_at=at or timezone.now(),
    )
    return event


def _transition(order: Order, to: str, actor: Actor) -> Transition:
    workflow = order.workflow
    if to not in workflow.states:
        raise ActionError(
            "unknown_state",
            _("%(to)r is not a status of %(order_type)s orders.")
            % {"to": to, "order_type": order.order_type.name},
            details={"field": "to"},
        )
    _check_not_final(order)
    transition = workflow.transition(order.state, to, order.options)
    if transition is None:
        raise NotAllowed(
            "invalid_transition",
            _("An order that is %(state)s cannot move to %(to)s.")
            % {"state": _label(order, order.state), "to": _label(order, to)},
        )
    if not transition.allows(actor.kind, actor.role):
        raise Forbidden(
            "not_permitted", _("You may not move this order to %(to)s.") % {"to": _label(order, to)}
        )
    return transition


def _label(order: Order, state: str) -> str:
    """A status as the person reading the error calls it: in their language where the workflow has it."""
    return order.workflow.state(state).label(translation.get_language() or order.seller.locale)


def _check_not_final(order: Order) -> None:
    if order.is_final:
        raise NotAllowed(
            "final_state",
            _("This order is closed: %(state)s is final, so its status can no longer change.")
            % {"state": _label(order, order.state)},
        )


def _check_party(order: Order, actor: Actor) -> None:
    """Staff of the order's seller, the order's customer, or the system."""
    if actor.kind == "customer":
        if actor.contact is None or actor.contact.customer_id != order.customer_id:
            raise Forbidden("forbidden", _("This order is not yours."))
    elif actor.kind == "staff":
        _check_staff_of(order.seller_id, actor)


def _check_staff(order: Order, actor: Actor) -> None:
    if actor.kind == "customer":
        raise Forbidden("forbidden", _("Only the seller's staff can do this."))
    if actor.kind == "staff":
        _check_staff_of(order.seller_id, actor)


def _check_staff_of(seller_id: int, actor: Actor) -> None:
    membership = actor.membership
    if membership is None or membership.seller_id != seller_id or not membership.is_active:
        raise Forbidden("forbidden", _("You are not staff of this seller."))


def _text(value: str, name: str, limit: int, *, field: str) -> str:
    """`name` is the field as people read it (translated), `field` as the API names it."""
    if not isinstance(value, str):
        raise ActionError(
            "invalid", _("The %(name)s must be text.") % {"name": name}, details={"field": field}
        )
    value = value.strip()
    if len(value) > limit:
        raise ActionError(
            "invalid",
            _("The %(name)s can be at most %(limit)s characters.") % {"name": name, "limit": limit},
            details={"field": field},
        )
    return value


def _decimal(value: object, name: str, *, places: int, below: Decimal, field: str | None = None) -> Decimal:
    """A finite number with at most `places` digits after the point, under `below` in size.

    Checked before any arithmetic: quantizing "1e100" to cents raises InvalidOperation, and rounding
    0.0001 to 0.000 would store something else than what was asked."""
    details = {"field": field} if field else None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        result = Decimal("NaN")
    if not result.is_finite():
        raise ActionError(
            "invalid",
            _("%(name)s must be a number, not %(value)r.") % {"name": name, "value": value},
            details=details,
        )
    if abs(result) >= below:
        raise ActionError(
            "invalid",
            _("%(name)s must be less than %(below)s.")
            % {"name": name, "below": formats.number_format(below, decimal_pos=0, force_grouping=True)},
            details=details,
        )
    exponent = result.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ActionError(
            "invalid",
            _("%(name)s can have at most %(places)s digits after the decimal point.")
            % {"name": name, "places": places},
            details=details,
        )
    return result.quantize(Decimal(1).scaleb(-places))
