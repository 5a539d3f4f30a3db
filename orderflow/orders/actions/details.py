"""What staff keep on an order: assignee, estimated completion, internal notes, line availability."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.emit import notify
from orderflow.orders.actions.common import (
    MAX_INTERNAL_NOTES,
    _check_not_final,
    _check_staff,
    _locked,
    _record,
    _save,
    _text,
)
from orderflow.orders.actions.indexing import index_order
from orderflow.orders.actions.lines import edit_line
from orderflow.orders.models import EventType, Order, OrderLine


def assign_order(
    order: Order, *, assignee: Membership | None, actor: Actor, expected_version: int | None = None
) -> Order:
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        if assignee is not None and (assignee.seller_id != order.seller_id or not assignee.is_active):
            raise ActionError(
                "invalid",
                _("Orders can only be assigned to active staff of this seller."),
                details={"field": "assignee"},
            )
        if (assignee.pk if assignee is not None else None) == order.assignee_id:
            return order
        # By id: the caller's instance is not cached on the order, which notifications then read afresh.
        _save(order, {"assignee_id": assignee.pk if assignee is not None else None})
        event = _record(
            order,
            EventType.ASSIGNED,
            actor,
            data={
                "assignee_id": assignee.pk if assignee else None,
                "assignee": assignee.display_name if assignee else None,
            },
        )
        notify(event, order=order)
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
                _("The estimated completion cannot be before the order was placed."),
                details={"field": "estimated_completion"},
            )
        if date == order.estimated_completion:
            return order
        _save(order, {"estimated_completion": date})
        event = _record(
            order,
            EventType.ESTIMATE_SET,
            actor,
            data={"date": date.isoformat() if date else None},
        )
        notify(event, order=order)
    return order


def edit_internal_notes(
    order: Order, *, notes: str, actor: Actor, expected_version: int | None = None
) -> Order:
    notes = _text(notes, _("internal notes"), MAX_INTERNAL_NOTES, field="internal_notes")
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        if notes == order.internal_notes:
            return order
        _save(order, {"internal_notes": notes})
        index_order(order)
        event = _record(order, EventType.INTERNAL_NOTES, actor, data={"length": len(notes)})
        notify(event, order=order)
    return order


def update_line(
    line: OrderLine, *, status: str, actor: Actor, substitute: str = "", expected_version: int | None = None
) -> OrderLine:
    """Mark a line out of stock, or substituted (by its backup item or by what staff name): `edit_line`
    with a status only."""
    return edit_line(
        line.order,
        position=line.position,
        status=status,
        substitute=substitute,
        actor=actor,
        expected_version=expected_version,
    )
