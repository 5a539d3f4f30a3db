"""Every change to an order. Each action runs in one transaction, re-reads the order under a lock,
checks the rules against the workflow the order started on, writes, and appends an `OrderEvent`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from orderflow.accounts.models import Contact, Customer, Membership, Seller
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict, Forbidden, NotAllowed
from orderflow.notifications.emit import emit
from orderflow.orders.models import EventType, LineStatus, Order, OrderEvent, OrderLine, Refund
from orderflow.workflows.definition import Transition
from orderflow.workflows.models import OrderType

MAX_NOTE = 2000
MAX_INTERNAL_NOTES = 10000
MAX_LINES = 500
CENT = Decimal("0.01")


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal | int | str = 1
    unit_price: Decimal | int | str | None = None
    sku: str = ""
    backup_description: str = ""


# ----------------------------------------------------------------------------------------------
# Placing


def place_order(
    customer: Customer,
    *,
    order_type: OrderType,
    actor: Actor,
    lines: Sequence[LineInput] = (),
    title: str = "",
    contact: Contact | None = None,
    customer_notes: str = "",
    state: str | None = None,
) -> Order:
    """Create an order in the workflow's initial state (or another entry state, e.g. flat-fee)."""
    if order_type.seller_id != customer.seller_id:
        raise ActionError("invalid", "That order type does not belong to this seller.")
    # The newest published version, not whatever the caller's copy of the order type remembers.
    order_type = OrderType.objects.select_related("current_version").get(pk=order_type.pk)
    if not order_type.is_active or order_type.current_version is None:
        raise ActionError("invalid", f"The order type {order_type.name!r} is not taking orders.")
    if actor.kind == "customer":
        assert actor.contact is not None
        if actor.contact.customer_id != customer.pk:
            raise Forbidden("forbidden", "You can only place orders for your own account.")
        contact = contact or actor.contact
    elif actor.kind == "staff":
        _check_staff_of(customer.seller_id, actor)
    if contact is not None and contact.customer_id != customer.pk:
        raise ActionError("invalid", "That contact is not one of this customer's contacts.")
    version = order_type.current_version
    workflow = version.workflow
    state = state or workflow.initial
    if state not in workflow.entry_states:
        allowed = ", ".join(workflow.state(key).label() for key in workflow.entry_states)
        raise ActionError("invalid_state", f"A new order can only start as: {allowed}.")
    clean_lines = [_clean_line(line, index) for index, line in enumerate(lines, start=1)]
    if len(clean_lines) > MAX_LINES:
        raise ActionError("invalid", f"An order can have at most {MAX_LINES} lines.")
    title = title.strip() or (clean_lines[0].description if clean_lines else "")
    if not title:
        raise ActionError(
            "invalid", "Give the order a title or at least one line.", details={"field": "title"}
        )
    if len(title) > 200:
        raise ActionError("invalid", "The title can be at most 200 characters.", details={"field": "title"})
    customer_notes = _text(customer_notes, "customer_notes", MAX_INTERNAL_NOTES)

    now = timezone.now()
    with transaction.atomic():
        seller = Seller.objects.select_for_update().get(pk=customer.seller_id)
        seller.order_counter = F("order_counter") + 1
        seller.save(update_fields=["order_counter"])
        seller.refresh_from_db(fields=["order_counter"])
        order = Order.objects.create(
            seller=seller,
            number=seller.order_counter,
            order_type=order_type,
            workflow_version=version,
            state=state,
            state_category=workflow.state(state).category,
            customer=customer,
            placed_by=contact,
            title=title,
            customer_notes=customer_notes,
            currency=seller.currency,
            submitted_at=now,
            last_activity_at=now,
        )
        OrderLine.objects.bulk_create(
            OrderLine(order=order, position=index, **vars(line)) for index, line in enumerate(clean_lines, 1)
        )
        _record(order, EventType.PLACED, actor, to_state=state, at=now, data={"lines": len(clean_lines)})
    return order


def _clean_line(line: LineInput, index: int) -> LineInput:
    where = f"Line {index}"
    description = line.description.strip()
    if not description or len(description) > 300:
        raise ActionError("invalid", f"{where}: describe the item in 1 to 300 characters.")
    quantity = _decimal(line.quantity, f"{where}: quantity")
    if quantity <= 0 or quantity >= Decimal("1e9"):
        raise ActionError("invalid", f"{where}: the quantity must be more than 0.")
    price = None if line.unit_price in (None, "") else _decimal(line.unit_price, f"{where}: unit price")
    if price is not None and (price < 0 or price >= Decimal("1e10")):
        raise ActionError("invalid", f"{where}: the unit price cannot be negative.")
    return LineInput(
        description=description,
        quantity=quantity.quantize(Decimal("0.001")),
        unit_price=None if price is None else price.quantize(CENT),
        sku=line.sku.strip()[:60],
        backup_description=line.backup_description.strip()[:300],
    )


# ----------------------------------------------------------------------------------------------
# Moving through the workflow


def mark_seen(order: Order, *, actor: Actor) -> Order:
    """Staff opened the order. The first time, record it and take any `staff_opens` transition
    (distributor: Sent -> Seen). Nobody is notified. Later opens change nothing."""
    if actor.kind != "staff" or order.seen_at is not None:
        return order
    _check_staff_of(order.seller_id, actor)
    with transaction.atomic():
        order = _locked(order, None)
        if order.seen_at is not None:
            return order
        now = timezone.now()
        order.seen_at = now
        auto = order.workflow.auto_transition(order.state, "staff_opens")
        fields: dict[str, Any] = {"seen_at": now}
        if auto is not None:
            fields.update(_state_fields(order, auto.target, now))
            fields.pop("last_activity_at")  # opening an order is not activity on it
        _save(order, fields, touch=False)
        _record(order, EventType.SEEN, actor, at=now)
        if auto is not None:
            _record(
                order,
                EventType.TRANSITIONED,
                Actor.system(),
                from_state=auto.source,
                to_state=auto.target,
                at=now,
                data={"trigger": "staff_opens", "notify": list(auto.notify)},
            )
    return order


def transition_order(
    order: Order, *, to: str, actor: Actor, note: str = "", expected_version: int | None = None
) -> Order:
    """Move the order along a declared transition that this actor may trigger."""
    note = _text(note, "note", MAX_NOTE)
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_party(order, actor)
        transition = _transition(order, to, actor)
        if transition.note == "required" and not note:
            raise ActionError(
                "note_required",
                f"Add a note to move this order to {_label(order, to)}.",
                details={"field": "note"},
            )
        if transition.note == "none" and note:
            raise ActionError(
                "note_not_accepted",
                f"Moving to {_label(order, to)} takes no note.",
                details={"field": "note"},
            )
        now = timezone.now()
        source = order.state
        fields = _state_fields(order, to, now)
        archiving = to == order.workflow.archive
        if archiving:
            fields["archived"] = True
        _save(order, fields)
        _record(
            order,
            EventType.ARCHIVED if archiving else EventType.TRANSITIONED,
            actor,
            from_state=source,
            to_state=to,
            note=note,
            at=now,
            data={"notify": list(transition.notify)},
        )
    return order


def available_transitions(order: Order, actor: Actor) -> list[Transition]:
    """What this actor may do next (for buttons and the API); empty when the order is final."""
    if order.is_final:
        return []
    return [
        t
        for t in order.workflow.transitions_from(order.state)
        if t.auto is None and t.allows(actor.kind, actor.role)
    ]


def can_cancel(order: Order, actor: Actor) -> bool:
    """Whether this actor may cancel the order now (for showing the button; the action re-checks)."""
    if order.workflow.cancel is None or order.is_final:
        return False
    return order.workflow.can_cancel(order.state, "staff" if actor.kind == "system" else actor.kind)


def can_archive(order: Order, actor: Actor) -> bool:
    """Whether staff may archive the order now: into the workflow's archive state, or once finished."""
    if order.archived or actor.kind == "customer":
        return False
    workflow = order.workflow
    if workflow.archive:
        transition = workflow.transition(order.state, workflow.archive)
        return transition is not None and transition.allows("staff", actor.role)
    return order.current_state.category in ("done", "cancelled")


def cancel_order(
    order: Order,
    *,
    actor: Actor,
    reason: str = "",
    refund_amount: Decimal | str | None = None,
    expected_version: int | None = None,
) -> Order:
    """Cancel where the workflow allows this party to; a refund may be issued in the same step."""
    reason = _text(reason, "reason", MAX_NOTE)
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_party(order, actor)
        policy = order.workflow.cancel
        if policy is None:
            raise NotAllowed("not_cancellable", f"{order.order_type.name} orders cannot be cancelled.")
        _check_not_final(order)
        party = "staff" if actor.kind == "system" else actor.kind
        if not order.workflow.can_cancel(order.state, party):
            who = "you" if actor.kind == "customer" else "anyone"
            raise NotAllowed(
                "not_cancellable",
                f"An order that is {_label(order, order.state)} can no longer be cancelled by {who}.",
            )
        if policy.reason == "required" and not reason:
            raise ActionError(
                "reason_required",
                "Give the customer a reason for the cancellation.",
                details={"field": "reason"},
            )
        now = timezone.now()
        source = order.state
        fields = _state_fields(order, policy.target, now)
        fields["cancel_reason"] = reason
        _save(order, fields)
        _record(
            order, EventType.CANCELLED, actor, from_state=source, to_state=policy.target, note=reason, at=now
        )
        if refund_amount not in (None, ""):
            assert refund_amount is not None
            if not policy.refund:
                raise ActionError(
                    "refund_not_offered",
                    "This kind of order is not refunded while cancelling; cancel it, then issue a refund.",
                    details={"field": "refund_amount"},
                )
            _refund(order, amount=refund_amount, reason=reason or "Order cancelled", actor=actor, at=now)
    return order


def refund_order(
    order: Order, *, amount: Decimal | str, reason: str, actor: Actor, expected_version: int | None = None
) -> Refund:
    """Refund part or all of an order. Allowed in any state, final ones included."""
    reason = _text(reason, "reason", MAX_NOTE)
    if not reason:
        raise ActionError("reason_required", "Give a reason for the refund.", details={"field": "reason"})
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        refund = _refund(order, amount=amount, reason=reason, actor=actor, at=timezone.now())
        _save(order, {})
    return refund


def _refund(order: Order, *, amount: Decimal | str, reason: str, actor: Actor, at: dt.datetime) -> Refund:
    """Caller holds the order lock."""
    _check_staff(order, actor)
    value = _decimal(amount, "The refund amount")
    if value <= 0 or value != value.quantize(CENT):
        raise ActionError(
            "invalid", "The refund amount must be more than 0, in whole cents.", details={"field": "amount"}
        )
    available = order.total() - order.refunded_total()
    if value > available:
        raise ActionError(
            "refund_too_large",
            f"At most {available} {order.currency} can still be refunded on this order.",
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
    _record(
        order,
        EventType.REFUNDED,
        actor,
        note=reason,
        at=at,
        data={"amount": str(value), "currency": order.currency},
    )
    return refund


def archive_order(order: Order, *, actor: Actor, expected_version: int | None = None) -> Order:
    """Hide a finished order from the default list, moving it to the workflow's archive state if any."""
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        if order.archived:
            raise NotAllowed("already_archived", "This order is already archived.")
        if not can_archive(order, actor):
            finished = "complete" if order.workflow.archive else "finished"
            raise NotAllowed("not_archivable", f"Only {finished} or cancelled orders can be archived.")
        now = timezone.now()
        fields: dict[str, Any] = {"archived": True}
        source = order.state
        if order.workflow.archive:
            fields.update(_state_fields(order, order.workflow.archive, now))
        _save(order, fields)
        _record(order, EventType.ARCHIVED, actor, from_state=source, to_state=order.state, at=now)
    return order


# ----------------------------------------------------------------------------------------------
# Details staff keep on the order


def assign_order(
    order: Order, *, assignee: Membership | None, actor: Actor, expected_version: int | None = None
) -> Order:
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        if assignee is not None and (assignee.seller_id != order.seller_id or not assignee.is_active):
            raise ActionError(
                "invalid",
                "Orders can only be assigned to active staff of this seller.",
                details={"field": "assignee"},
            )
        if (assignee.pk if assignee is not None else None) == order.assignee_id:
            return order
        _save(order, {"assignee": assignee})
        _record(
            order,
            EventType.ASSIGNED,
            actor,
            data={
                "assignee_id": assignee.pk if assignee else None,
                "assignee": assignee.display_name if assignee else None,
            },
        )
    return order


def set_estimated_completion(
    order: Order, *, date: dt.date | None, actor: Actor, expected_version: int | None = None
) -> Order:
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        _check_not_final(order)
        placed_on = order.submitted_at.astimezone(ZoneInfo(order.seller.time_zone)).date()
        if date is not None and date < placed_on:
            raise ActionError(
                "invalid",
                "The estimated completion cannot be before the order was placed.",
                details={"field": "estimated_completion"},
            )
        _save(order, {"estimated_completion": date})
        _record(order, EventType.ESTIMATE_SET, actor, data={"date": date.isoformat() if date else None})
    return order


def edit_internal_notes(
    order: Order, *, notes: str, actor: Actor, expected_version: int | None = None
) -> Order:
    notes = _text(notes, "internal notes", MAX_INTERNAL_NOTES)
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        if notes == order.internal_notes:
            return order
        _save(order, {"internal_notes": notes})
        _record(order, EventType.INTERNAL_NOTES, actor, data={"length": len(notes)})
    return order


def update_line(
    line: OrderLine, *, status: str, actor: Actor, substitute: str = "", expected_version: int | None = None
) -> OrderLine:
    """Mark a line out of stock, or substituted (by its backup item or by what staff name)."""
    if status not in LineStatus.values:
        raise ActionError("invalid", f"Unknown line status {status!r}.", details={"field": "status"})
    substitute = _text(substitute, "substitute", 300)
    with transaction.atomic():
        order = _locked(line.order, expected_version)
        _check_staff(order, actor)
        _check_not_final(order)
        line = order.lines.get(pk=line.pk)
        if status == LineStatus.SUBSTITUTED:
            substitute = substitute or line.backup_description
            if not substitute:
                raise ActionError(
                    "invalid",
                    "Name the substitute: this line has no backup item.",
                    details={"field": "substitute"},
                )
        else:
            substitute = ""
        line.status, line.substitute_description = status, substitute
        line.save(update_fields=["status", "substitute_description"])
        _save(order, {})
        _record(
            order,
            EventType.LINE_UPDATED,
            actor,
            data={
                "line": line.position,
                "description": line.description,
                "status": status,
                "substitute": substitute,
            },
        )
    return line


# ----------------------------------------------------------------------------------------------
# Shared steps


def _locked(order: Order, expected_version: int | None) -> Order:
    """Re-read the order under a row lock (SQLite: the IMMEDIATE transaction's write lock)."""
    fresh = (
        Order.objects.select_for_update(of=("self",))
        .select_related("workflow_version", "order_type", "seller")
        .get(pk=order.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise Conflict(
            "stale",
            "This order changed since you opened it. Reload it to see what changed, then try again.",
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
        raise Conflict("stale", "This order changed since you opened it. Reload it and try again.")
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

    Caller holds the transaction; the order counts as active again."""
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
    """Append to the activity log and write the notifications it calls for, in the caller's transaction."""
    event = OrderEvent.objects.create(
        order=order,
        seller_id=order.seller_id,
        type=type,
        actor_kind=actor.kind,
        actor_user=actor.membership.user if actor.membership else None,
        actor_contact=actor.contact,
        actor_name=actor.name[:200],
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
        created_at=at or timezone.now(),
    )
    emit(event)
    return event


def _transition(order: Order, to: str, actor: Actor) -> Transition:
    workflow = order.workflow
    if to not in workflow.states:
        raise ActionError(
            "unknown_state",
            f"{to!r} is not a status of {order.order_type.name} orders.",
            details={"field": "to"},
        )
    _check_not_final(order)
    transition = workflow.transition(order.state, to)
    if transition is None:
        raise NotAllowed(
            "invalid_transition",
            f"An order that is {_label(order, order.state)} cannot move to {_label(order, to)}.",
        )
    if not transition.allows(actor.kind, actor.role):
        raise Forbidden("not_permitted", f"You may not move this order to {_label(order, to)}.")
    return transition


def _label(order: Order, state: str) -> str:
    return order.workflow.state(state).label(order.seller.locale)


def _check_not_final(order: Order) -> None:
    if order.is_final:
        raise NotAllowed(
            "final_state",
            f"This order is closed: {_label(order, order.state)} is final, so its status "
            "can no longer change.",
        )


def _check_party(order: Order, actor: Actor) -> None:
    """Staff of the order's seller, the order's customer, or the system."""
    if actor.kind == "customer":
        if actor.contact is None or actor.contact.customer_id != order.customer_id:
            raise Forbidden("forbidden", "This order is not yours.")
    elif actor.kind == "staff":
        _check_staff_of(order.seller_id, actor)


def _check_staff(order: Order, actor: Actor) -> None:
    if actor.kind == "customer":
        raise Forbidden("forbidden", "Only the seller's staff can do this.")
    if actor.kind == "staff":
        _check_staff_of(order.seller_id, actor)


def _check_staff_of(seller_id: int, actor: Actor) -> None:
    membership = actor.membership
    if membership is None or membership.seller_id != seller_id or not membership.is_active:
        raise Forbidden("forbidden", "You are not staff of this seller.")


def _text(value: str, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ActionError("invalid", f"The {name} must be text.", details={"field": name})
    value = value.strip()
    if len(value) > limit:
        raise ActionError(
            "invalid", f"The {name} can be at most {limit} characters.", details={"field": name}
        )
    return value


def _decimal(value: object, name: str) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ActionError("invalid", f"{name} must be a number, not {value!r}.") from None
    if not result.is_finite():
        raise ActionError("invalid", f"{name} must be a number, not {value!r}.")
    return result
