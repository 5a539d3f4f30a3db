"""Moving an order through its workflow: seen on open, transitions, cancelling, archiving."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, NotAllowed
from orderflow.notifications.emit import notify
from orderflow.orders.actions.common import (
    MAX_NOTE,
    _check_not_final,
    _check_party,
    _check_staff,
    _check_staff_of,
    _label,
    _locked,
    _record,
    _save,
    _state_fields,
    _text,
    _transition,
)
from orderflow.orders.actions.refunds import _refund
from orderflow.orders.models import EventType, Order
from orderflow.quotes.models import Quote, QuoteStatus
from orderflow.workflows.definition import Transition


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
        events = [_record(order, EventType.SEEN, actor, at=now)]
        if auto is not None:
            moved = _record(
                order,
                EventType.TRANSITIONED,
                Actor.system(),
                from_state=auto.source,
                to_state=auto.target,
                at=now,
                data={"trigger": "staff_opens", "notify": list(auto.notify)},
            )
            events.append(moved)
        notify(*events, order=order)
    return order


def transition_order(
    order: Order, *, to: str, actor: Actor, note: str = "", expected_version: int | None = None
) -> Order:
    """Move the order along a declared transition that this actor may trigger."""
    note = _text(note, _("note"), MAX_NOTE, field="note")
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_party(order, actor)
        transition = _transition(order, to, actor)
        _check_no_open_quote(order, to)
        if transition.note == "required" and not note:
            raise ActionError(
                "note_required",
                _("Add a note to move this order to %(to)s.") % {"to": _label(order, to)},
                details={"field": "note"},
            )
        if transition.note == "none" and note:
            raise ActionError(
                "note_not_accepted",
                _("Moving to %(to)s takes no note.") % {"to": _label(order, to)},
                details={"field": "note"},
            )
        now = timezone.now()
        source = order.state
        fields = _state_fields(order, to, now)
        archiving = to == order.workflow.archive
        if archiving:
            fields["archived"] = True
        _save(order, fields)
        event = _record(
            order,
            EventType.ARCHIVED if archiving else EventType.TRANSITIONED,
            actor,
            from_state=source,
            to_state=to,
            note=note,
            at=now,
            data={"notify": list(transition.notify)},
        )
        notify(event, order=order)
    return order


def _check_no_open_quote(order: Order, to: str) -> None:
    """While a sent quote waits for an answer, the order reaches the workflow's `[quotes] accept` state
    only by accepting it (which puts its lines and prices on the order), never by a bare move."""
    if to != order.workflow.quotes.get("accept"):
        return
    if _has_open_quote(order):
        raise NotAllowed(
            "quote_open",
            _("A quote waits for an answer: accept or decline the quote instead."),
        )


def available_transitions(order: Order, actor: Actor) -> list[Transition]:
    """What this actor may do next (for buttons and the API); empty when the order is final."""
    if order.is_final:
        return []
    found = [
        t
        for t in order.workflow.transitions_from(order.state, order.options)
        if t.auto is None and t.allows(actor.kind, actor.role)
    ]
    accept = order.workflow.quotes.get("accept")
    if any(t.target == accept for t in found) and _has_open_quote(order):
        found = [t for t in found if t.target != accept]  # the quote's own Accept stands for it
    return found


def _has_open_quote(order: Order) -> bool:
    return Quote.objects.filter(order=order, status=QuoteStatus.SENT).exists()


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
        transition = workflow.transition(order.state, workflow.archive, order.options)
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
    reason = _text(reason, _("reason"), MAX_NOTE, field="reason")
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_party(order, actor)
        policy = order.workflow.cancel
        if policy is None:
            raise NotAllowed(
                "not_cancellable",
                _("%(order_type)s orders cannot be cancelled.") % {"order_type": order.order_type.name},
            )
        _check_not_final(order)
        party = "staff" if actor.kind == "system" else actor.kind
        if not order.workflow.can_cancel(order.state, party):
            if actor.kind == "customer":
                refusal = _("An order that is %(state)s can no longer be cancelled by you.")
            else:
                refusal = _("An order that is %(state)s can no longer be cancelled by anyone.")
            raise NotAllowed("not_cancellable", refusal % {"state": _label(order, order.state)})
        if policy.reason == "required" and not reason:
            raise ActionError(
                "reason_required",
                _("Give the customer a reason for the cancellation."),
                details={"field": "reason"},
            )
        now = timezone.now()
        source = order.state
        fields = _state_fields(order, policy.target, now)
        fields["cancel_reason"] = reason
        _save(order, fields)
        events = [
            _record(
                order,
                EventType.CANCELLED,
                actor,
                from_state=source,
                to_state=policy.target,
                note=reason,
                at=now,
            )
        ]
        if refund_amount not in (None, ""):
            assert refund_amount is not None
            if not policy.refund:
                raise ActionError(
                    "refund_not_offered",
                    _("This kind of order is not refunded while cancelling; cancel it, then issue a refund."),
                    details={"field": "refund_amount"},
                )
            _refund_row, refunded = _refund(
                order, amount=refund_amount, reason=reason or "Order cancelled", actor=actor, at=now
            )
            events.append(refunded)
        notify(*events, order=order)
    return order


def archive_order(order: Order, *, actor: Actor, expected_version: int | None = None) -> Order:
    """Hide a finished order from the default list, moving it to the workflow's archive state if any."""
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        if order.archived:
            raise NotAllowed("already_archived", _("This order is already archived."))
        if not can_archive(order, actor):
            if order.workflow.archive:
                refusal = _("Only complete or cancelled orders can be archived.")
            else:
                refusal = _("Only finished or cancelled orders can be archived.")
            raise NotAllowed("not_archivable", refusal)
        now = timezone.now()
        fields: dict[str, Any] = {"archived": True}
        source = order.state
        if order.workflow.archive:
            fields.update(_state_fields(order, order.workflow.archive, now))
        _save(order, fields)
        event = _record(order, EventType.ARCHIVED, actor, from_state=source, to_state=order.state, at=now)
        notify(event, order=order)
    return order
