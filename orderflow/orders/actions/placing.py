"""Placing an order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact, Customer, Seller
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.notifications.emit import notify
from orderflow.orders.actions.common import (
    MAX_INTERNAL_NOTES,
    MAX_LINE_TEXT,
    MAX_LINES,
    MAX_SKU,
    MAX_TITLE,
    _check_staff_of,
    _decimal,
    _record,
    _text,
)
from orderflow.orders.models import EventType, Order, OrderLine
from orderflow.workflows.models import OrderType


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal | int | str = 1
    unit_price: Decimal | int | str | None = None
    sku: str = ""
    backup_description: str = ""


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
        raise ActionError("invalid", _("That order type does not belong to this seller."))
    # The newest published version, not whatever the caller's copy of the order type remembers.
    order_type = OrderType.objects.select_related("current_version").get(pk=order_type.pk)
    if not order_type.is_active or order_type.current_version is None:
        raise ActionError(
            "invalid",
            _("The order type %(order_type)r is not taking orders.") % {"order_type": order_type.name},
        )
    if actor.kind == "customer":
        assert actor.contact is not None
        if actor.contact.customer_id != customer.pk:
            raise Forbidden("forbidden", _("You can only place orders for your own account."))
        contact = contact or actor.contact
    elif actor.kind == "staff":
        _check_staff_of(customer.seller_id, actor)
    if contact is not None and contact.customer_id != customer.pk:
        raise ActionError("invalid", _("That contact is not one of this customer's contacts."))
    version = order_type.current_version
    workflow = version.workflow
    state = state or workflow.initial
    if state not in workflow.entry_states:
        allowed = ", ".join(workflow.state(key).label() for key in workflow.entry_states)
        raise ActionError(
            "invalid_state", _("A new order can only start as: %(allowed)s.") % {"allowed": allowed}
        )
    clean_lines = [_clean_line(line, index) for index, line in enumerate(lines, start=1)]
    if len(clean_lines) > MAX_LINES:
        raise ActionError("invalid", _("An order can have at most %(limit)s lines.") % {"limit": MAX_LINES})
    title = title.strip() or (clean_lines[0].description if clean_lines else "")
    if not title:
        raise ActionError(
            "invalid", _("Give the order a title or at least one line."), details={"field": "title"}
        )
    if len(title) > MAX_TITLE:
        raise ActionError(
            "invalid",
            _("The title can be at most %(limit)s characters.") % {"limit": MAX_TITLE},
            details={"field": "title"},
        )
    customer_notes = _text(customer_notes, _("customer notes"), MAX_INTERNAL_NOTES, field="customer_notes")

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
        event = _record(
            order, EventType.PLACED, actor, to_state=state, at=now, data={"lines": len(clean_lines)}
        )
        # Without the order: it holds the caller's customer and contact; notifications read them afresh.
        notify(event)
    return order


def _clean_line(line: LineInput, index: int) -> LineInput:
    where = _("Line %(number)s") % {"number": index}
    description = line.description.strip()
    if not description or len(description) > MAX_LINE_TEXT:
        raise ActionError(
            "invalid",
            _("%(where)s: describe the item in 1 to %(limit)s characters.")
            % {"where": where, "limit": MAX_LINE_TEXT},
        )
    # The columns hold 12 digits: 9 before the point for quantities, 10 for prices.
    quantity = _decimal(
        line.quantity, _("%(line)s: quantity") % {"line": where}, places=3, below=Decimal("1e9")
    )
    if quantity <= 0:
        raise ActionError("invalid", _("%(where)s: the quantity must be more than 0.") % {"where": where})
    price = None
    if line.unit_price not in (None, ""):
        price = _decimal(
            line.unit_price, _("%(line)s: unit price") % {"line": where}, places=2, below=Decimal("1e10")
        )
        if price < 0:
            raise ActionError(
                "invalid", _("%(where)s: the unit price cannot be negative.") % {"where": where}
            )
    return LineInput(
        description=description,
        quantity=quantity,
        unit_price=price,
        sku=line.sku.strip()[:MAX_SKU],
        backup_description=line.backup_description.strip()[:MAX_LINE_TEXT],
    )
