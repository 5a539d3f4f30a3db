"""Changing an order's lines after it was placed: quantities, prices, lines added or removed, out of
stock and substitutes. Staff only, and only while the order's workflow state has `lines_editable`.

Every change appends a `LINE_UPDATED` event with what the line was before and is after; the customer is
told through the `lines_changed` rules (the presets tell the contact who placed the order)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from orderflow.catalog.models import Item
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, NotAllowed
from orderflow.notifications.emit import notify
from orderflow.orders.actions.common import (
    MAX_LINE_TEXT,
    MAX_LINES,
    _check_not_final,
    _check_staff,
    _label,
    _locked,
    _record,
    _save,
    _text,
)
from orderflow.orders.actions.indexing import index_order
from orderflow.orders.actions.placing import (
    LineInput,
    _check_orderable,
    _clean_line,
    _items_of,
    clean_price,
    clean_quantity,
)
from orderflow.orders.models import EventType, LineStatus, Order, OrderEvent, OrderLine

_UNCHANGED: Any = object()


def edit_line(
    order: Order,
    *,
    position: int,
    actor: Actor,
    quantity: Decimal | int | str | None = None,
    unit_price: Decimal | int | str | None = _UNCHANGED,
    status: str | None = None,
    substitute: str = "",
    substitute_item_id: int | None = None,
    expected_version: int | None = None,
) -> OrderLine:
    """Change one line: its quantity, its unit price (None: no price), or its status (available, out of
    stock, substituted by `substitute_item_id`, by what staff name in `substitute`, or by the line's
    backup). Arguments left out stay as they are. Changing nothing writes nothing."""
    if status is not None and status not in LineStatus.values:
        raise ActionError(
            "invalid_status",
            _("Unknown line status %(status)r.") % {"status": status},
            details={"field": "status"},
        )
    substitute = _text(substitute, _("substitute"), MAX_LINE_TEXT, field="substitute")
    where = _("Line %(number)s") % {"number": position}
    new_quantity = None if quantity in (None, "") else clean_quantity(quantity, where)
    price_given = unit_price is not _UNCHANGED
    new_price = None
    if price_given and unit_price not in (None, ""):
        new_price = clean_price(unit_price, where)
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_editable(order, actor)
        line = _line(order, position)
        before = _state_of(line)
        if new_quantity is not None:
            line.quantity = new_quantity
        if price_given:
            line.unit_price = new_price
        if status is not None:
            _set_status(line, status, substitute, substitute_item_id, where)
        after = _state_of(line)
        changed = {key for key in after if after[key] != before[key]}
        if not changed:
            return line
        line.save()
        _save(order, {})
        index_order(order)  # its lines are what a search finds it by
        event = _record(
            order,
            EventType.LINE_UPDATED,
            actor,
            data={
                "line": line.position,
                "description": line.description,
                "change": "edited",
                "before": {key: before[key] for key in sorted(changed)},
                "after": {key: after[key] for key in sorted(changed)},
                # As line status changes always said it (the timeline and webhooks read these).
                "status": line.status,
                "substitute": line.substitute_description,
            },
        )
        notify(event, order=order)
    return line


def add_line(
    order: Order, *, line: LineInput, actor: Actor, expected_version: int | None = None
) -> OrderLine:
    """Add a catalogue line (staff may set its price) or a free line at the end of the order."""
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_editable(order, actor)
        count = order.lines.count()
        if count >= MAX_LINES:
            raise ActionError(
                "invalid", _("An order can have at most %(limit)s lines.") % {"limit": MAX_LINES}
            )
        last = order.lines.aggregate(last=Max("position"))["last"] or 0
        clean = _clean_line(
            line, last, items=_items_of(order.seller_id, [line]), actor=actor, order_type=order.order_type
        )
        added = OrderLine.objects.create(order=order, position=last + 1, **vars(clean))
        _save(order, {})
        index_order(order)  # its lines are what a search finds it by
        event = _record(
            order,
            EventType.LINE_UPDATED,
            actor,
            data={
                "line": added.position,
                "description": added.description,
                "change": "added",
                "after": _state_of(added),
            },
        )
        notify(event, order=order)
    return added


def remove_line(
    order: Order, *, position: int, actor: Actor, expected_version: int | None = None
) -> OrderEvent:
    """Take a line off the order; the log keeps what it was. An order keeps at least one line."""
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_editable(order, actor)
        line = _line(order, position)
        if order.lines.count() == 1:
            raise NotAllowed(
                "last_line",
                _("An order keeps at least one line: cancel the order instead."),
                details={"field": "position"},
            )
        before = _state_of(line)
        line.delete()
        _save(order, {})
        index_order(order)  # its lines are what a search finds it by
        event = _record(
            order,
            EventType.LINE_UPDATED,
            actor,
            data={
                "line": position,
                "description": before["description"],
                "change": "removed",
                "before": before,
            },
        )
        notify(event, order=order)
    return event


def _check_editable(order: Order, actor: Actor) -> None:
    _check_staff(order, actor)
    _check_not_final(order)
    if not order.workflow.lines_editable(order.state):
        raise NotAllowed(
            "lines_locked",
            _("The lines of an order that is %(state)s can no longer be changed.")
            % {"state": _label(order, order.state)},
        )


def _line(order: Order, position: int) -> OrderLine:
    line = order.lines.select_related("backup_item").filter(position=position).first()
    if line is None:
        raise ActionError(
            "unknown_line",
            _("This order has no line %(number)s.") % {"number": position},
            details={"field": "position"},
        )
    return line


def _set_status(
    line: OrderLine, status: str, substitute: str, substitute_item_id: int | None, where: str
) -> None:
    line.status = status
    if status != LineStatus.SUBSTITUTED:
        line.substitute_description, line.substitute_item = "", None
        return
    item: Item | None = None
    if substitute_item_id is not None:
        item = (
            Item.objects.select_related("seller")
            .filter(seller_id=line.order.seller_id, pk=substitute_item_id)
            .first()
        )
        if item is None:
            raise ActionError(
                "unknown_item",
                _("%(where)s: there is no such substitute in the catalogue.") % {"where": where},
                details={"field": "substitute_item_id"},
            )
        _check_substitute(item, where)
    elif not substitute and line.backup_item is not None:
        item = line.backup_item
    if item is not None:
        line.substitute_item, line.substitute_description = item, item.name[:MAX_LINE_TEXT]
        return
    substitute = substitute or line.backup_description
    if not substitute:
        raise ActionError(
            "substitute_required",
            _("Name the substitute: this line has no backup item."),
            details={"field": "substitute"},
        )
    line.substitute_item, line.substitute_description = None, substitute


def _check_substitute(item: Item, where: str) -> None:
    try:
        _check_orderable(item, where, 0, "substitute_item_id")
    except ActionError as error:
        raise ActionError(error.code, error.message, details={"field": "substitute_item_id"}) from None


def _state_of(line: OrderLine) -> dict[str, Any]:
    """What a line is, as plain values for the log."""
    return {
        "description": line.description,
        "quantity": f"{line.quantity.normalize():f}",
        "unit_price": None if line.unit_price is None else str(line.unit_price),
        "status": line.status,
        "substitute": line.substitute_description,
    }
