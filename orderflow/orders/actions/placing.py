"""Placing an order: catalogue lines (price, tax and description copied from the item) and free lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact, Customer, Seller
from orderflow.catalog.models import Availability, Item, ItemKind
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
from orderflow.orders.actions.indexing import count_new, index_new
from orderflow.orders.models import EventType, Order, OrderLine, Totals, totals_of
from orderflow.workflows.definition import Workflow
from orderflow.workflows.models import OrderType

MAX_QUANTITY = Decimal(1_000_000)


@dataclass(frozen=True)
class LineInput:
    """A free line (`description`, the price as given) or a catalogue line (`item_id`: description, price
    and tax from the item; `backup_item_id`: what the customer accepts instead if it is out of stock)."""

    description: str = ""
    quantity: Decimal | int | str = 1
    unit_price: Decimal | int | str | None = None
    sku: str = ""
    backup_description: str = ""
    item_id: int | None = None
    backup_item_id: int | None = None


@dataclass(frozen=True)
class _CleanLine:
    description: str
    quantity: Decimal
    unit_price: Decimal | None
    sku: str = ""
    backup_description: str = ""
    tax_rate: Decimal = Decimal(0)
    item: Item | None = None
    backup_item: Item | None = None


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
    options: Mapping[str, str] | None = None,
) -> Order:
    """Create an order in the workflow's initial state (or another entry state, e.g. flat-fee; without
    `state`, an order priced in full starts at the workflow's `[quotes] priced` state where it has one).

    `options`: the order's own choices where its workflow leaves them to each order (the shop's
    pickup or delivery). Every refusal names the line and field (`details`: field, line) with a stable
    code, and nothing is written."""
    checked = _check(
        customer, order_type=order_type, actor=actor, contact=contact, lines=lines, options=options
    )
    order_type, contact, clean_lines, order_options = (
        checked.order_type,
        checked.contact,
        checked.lines,
        checked.options,
    )
    workflow = checked.workflow
    version = order_type.current_version
    assert version is not None  # checked: the order type is taking orders
    state = state or _entry_state(workflow, clean_lines)
    if state not in workflow.entry_states:
        allowed = ", ".join(workflow.state(key).label() for key in workflow.entry_states)
        raise ActionError(
            "invalid_state", _("A new order can only start as: %(allowed)s.") % {"allowed": allowed}
        )
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
        # NO KEY UPDATE: the number is taken in turn, while other changes of the seller's orders (whose
        # rows point at the seller: KEY SHARE) go on; with FOR UPDATE, one holding a counter this order
        # needs would wait on this lock, and this on it.
        seller = Seller.objects.select_for_update(no_key=True).get(pk=customer.seller_id)
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
            options=order_options,
        )
        created = OrderLine.objects.bulk_create(
            OrderLine(order=order, position=index, **vars(line)) for index, line in enumerate(clean_lines, 1)
        )
        count_new(order)
        index_new(order, created)
        data: dict[str, object] = {"lines": len(clean_lines), **order_options}
        if actor.kind == "staff" and contact is not None:
            # Taken by phone (or the like): staff placed it, for this contact.
            data["on_behalf_of"] = {"id": contact.pk, "name": contact.name}
        event = _record(order, EventType.PLACED, actor, to_state=state, at=now, data=data)
        # Without the order: it holds the caller's customer and contact; notifications read them afresh.
        notify(event)
    return order


def _entry_state(workflow: Workflow, lines: Sequence[_CleanLine]) -> str:
    """Where a new order starts: an order of catalogue items that all have a price (flat-fee services)
    needs no quote and starts where the workflow's `[quotes] priced` says; any other (a request for
    quote, a free line describing a need) at the initial state."""
    priced = workflow.quotes.get("priced")
    if priced and lines and all(line.item is not None and line.unit_price is not None for line in lines):
        return priced
    return workflow.initial


@dataclass(frozen=True)
class Checked:
    """An order as it would be placed: its lines (unsaved) and totals, for a review before placing."""

    order_type: OrderType
    workflow: Workflow
    contact: Contact | None
    lines: list[_CleanLine]
    options: dict[str, str]

    @property
    def order_lines(self) -> list[OrderLine]:
        return [OrderLine(position=index, **vars(line)) for index, line in enumerate(self.lines, 1)]

    @property
    def totals(self) -> Totals:
        return totals_of(self.order_lines)


def check_order(
    customer: Customer,
    *,
    order_type: OrderType,
    actor: Actor,
    lines: Sequence[LineInput],
    contact: Contact | None = None,
    options: Mapping[str, str] | None = None,
) -> Checked:
    """Judge an order as `place_order` would, without writing anything: for the review step. An order
    from the catalogue needs at least one line (`place_order` accepts a titled order without)."""
    if not lines:
        raise ActionError(
            "empty_order", _("Choose a quantity for at least one item."), details={"field": "lines"}
        )
    return _check(customer, order_type=order_type, actor=actor, contact=contact, lines=lines, options=options)


def _check(
    customer: Customer,
    *,
    order_type: OrderType,
    actor: Actor,
    contact: Contact | None,
    lines: Sequence[LineInput],
    options: Mapping[str, str] | None,
) -> Checked:
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
        raise ActionError(
            "contact_not_of_customer",
            _("That contact is not one of this customer's contacts."),
            details={"field": "contact"},
        )
    assert order_type.current_version is not None
    workflow = order_type.current_version.workflow
    if len(lines) > MAX_LINES:
        raise ActionError("invalid", _("An order can have at most %(limit)s lines.") % {"limit": MAX_LINES})
    order_options = _clean_options(workflow.order_options, options or {})
    items = _items_of(customer.seller_id, lines)
    clean_lines = [
        _clean_line(line, index, items=items, actor=actor, order_type=order_type)
        for index, line in enumerate(lines)
    ]
    return Checked(order_type, workflow, contact, clean_lines, order_options)


def _clean_options(offered: Mapping[str, tuple[str, ...]], given: Mapping[str, str]) -> dict[str, str]:
    """The order's own choices: one for every option its workflow leaves to each order, and no other."""
    unknown = sorted(set(given) - set(offered))
    if unknown:
        raise ActionError(
            "unknown_option",
            _("This kind of order has no choice %(name)r.") % {"name": unknown[0]},
            details={"field": unknown[0]},
        )
    chosen: dict[str, str] = {}
    for name, choices in offered.items():
        value = given.get(name, "")
        if value not in choices:
            raise ActionError(
                "option_required",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)},
                details={"field": name, "choices": list(choices)},
            )
        chosen[name] = value
    return chosen


def _items_of(seller_id: int, lines: Sequence[LineInput]) -> dict[int, Item]:
    """The seller's items the lines name, in one query; another seller's item is simply not there."""
    wanted = {i for line in lines for i in (line.item_id, line.backup_item_id) if isinstance(i, int)}
    if not wanted:
        return {}
    return Item.objects.select_related("seller").filter(seller_id=seller_id, pk__in=wanted).in_bulk()


def _line_error(code: str, message: str, index: int, field: str) -> ActionError:
    return ActionError(code, message, details={"field": f"lines.{index}.{field}", "line": index + 1})


def clean_quantity(
    value: object, where: str, *, field: str = "quantity", index: int | None = None
) -> Decimal:
    """A quantity as every line takes it: a number over 0, at most 1,000,000, 3 decimals at most."""
    details_field = field if index is None else f"lines.{index}.{field}"
    line = {} if index is None else {"line": index + 1}
    try:
        # The columns hold 12 digits: 9 before the point.
        quantity = _decimal(value, _("%(line)s: quantity") % {"line": where}, places=3, below=Decimal("1e9"))
    except ActionError as error:
        raise ActionError(
            "invalid_quantity", error.message, details={"field": details_field, **line}
        ) from None
    if quantity <= 0:
        raise ActionError(
            "invalid_quantity",
            _("%(where)s: the quantity must be more than 0.") % {"where": where},
            details={"field": details_field, **line},
        )
    if quantity > MAX_QUANTITY:
        raise ActionError(
            "invalid_quantity",
            _("%(where)s: the quantity can be at most 1,000,000.") % {"where": where},
            details={"field": details_field, **line},
        )
    return quantity


def clean_price(value: object, where: str, *, field: str = "unit_price", index: int | None = None) -> Decimal:
    """A unit price: at least 0, in cents (2 decimals at most)."""
    details_field = field if index is None else f"lines.{index}.{field}"
    line = {} if index is None else {"line": index + 1}
    try:
        price = _decimal(value, _("%(line)s: unit price") % {"line": where}, places=2, below=Decimal("1e10"))
    except ActionError as error:
        raise ActionError("invalid_price", error.message, details={"field": details_field, **line}) from None
    if price < 0:
        raise ActionError(
            "invalid_price",
            _("%(where)s: the unit price cannot be negative.") % {"where": where},
            details={"field": details_field, **line},
        )
    return price


def _clean_line(
    line: LineInput, index: int, *, items: Mapping[int, Item], actor: Actor, order_type: OrderType
) -> _CleanLine:
    where = _("Line %(number)s") % {"number": index + 1}
    quantity = clean_quantity(line.quantity, where, index=index)
    price = None
    if line.unit_price not in (None, ""):
        price = clean_price(line.unit_price, where, index=index)
    if line.item_id is None:
        if line.backup_item_id is not None:
            raise _line_error(
                "backup_without_item",
                _("%(where)s: a backup item goes with a catalogue item.") % {"where": where},
                index,
                "backup_item_id",
            )
        return _free_line(line, where, index, quantity, price)
    item = items.get(line.item_id) if isinstance(line.item_id, int) else None
    if item is None:
        raise _line_error(
            "unknown_item",
            _("%(where)s: there is no such item in the catalogue.") % {"where": where},
            index,
            "item_id",
        )
    _check_orderable(item, where, index, "item_id")
    if item.order_type_id is not None and item.order_type_id != order_type.pk:
        raise _line_error(
            "item_wrong_order_type",
            _("%(where)s: %(item)s is ordered as another kind of order.")
            % {"where": where, "item": item.name},
            index,
            "item_id",
        )
    if price is not None and actor.kind == "customer":
        # The catalogue sets the price; a request for quote gets its price from the seller's quote.
        raise _line_error(
            "price_from_catalogue",
            _("%(where)s: the price of %(item)s is set by the seller.") % {"where": where, "item": item.name},
            index,
            "unit_price",
        )
    backup = None
    if line.backup_item_id is not None:
        backup = items.get(line.backup_item_id) if isinstance(line.backup_item_id, int) else None
        if backup is None:
            raise _line_error(
                "unknown_backup_item",
                _("%(where)s: there is no such backup item in the catalogue.") % {"where": where},
                index,
                "backup_item_id",
            )
        if backup.pk == item.pk:
            raise _line_error(
                "invalid_backup_item",
                _("%(where)s: the backup must be another item.") % {"where": where},
                index,
                "backup_item_id",
            )
        _check_orderable(backup, where, index, "backup_item_id")
    return _CleanLine(
        description=item.name[:MAX_LINE_TEXT],
        quantity=quantity,
        unit_price=item.unit_price if price is None else price,
        sku=item.sku[:MAX_SKU],
        backup_description=backup.name[:MAX_LINE_TEXT] if backup else "",
        tax_rate=item.tax_rate,
        item=item,
        backup_item=backup,
    )


def _check_orderable(item: Item, where: str, index: int, field: str) -> None:
    if item.availability == Availability.DISCONTINUED:
        raise _line_error(
            "item_discontinued",
            _("%(where)s: %(item)s is no longer offered.") % {"where": where, "item": item.name},
            index,
            field,
        )
    if not item.orderable:
        raise _line_error(
            "item_out_of_stock",
            _("%(where)s: %(item)s is out of stock.") % {"where": where, "item": item.name},
            index,
            field,
        )
    if field == "backup_item_id" and item.kind == ItemKind.QUOTE:
        raise _line_error(
            "invalid_backup_item",
            _("%(where)s: a request for quote cannot be a backup item.") % {"where": where},
            index,
            field,
        )


def _free_line(
    line: LineInput, where: str, index: int, quantity: Decimal, price: Decimal | None
) -> _CleanLine:
    description = line.description.strip() if isinstance(line.description, str) else ""
    if not description or len(description) > MAX_LINE_TEXT:
        raise _line_error(
            "invalid",
            _("%(where)s: describe the item in 1 to %(limit)s characters.")
            % {"where": where, "limit": MAX_LINE_TEXT},
            index,
            "description",
        )
    return _CleanLine(
        description=description,
        quantity=quantity,
        unit_price=price,
        sku=line.sku.strip()[:MAX_SKU],
        backup_description=line.backup_description.strip()[:MAX_LINE_TEXT],
    )


def order_type_for_items(seller: Seller, items: Sequence[Item]) -> OrderType:
    """The order type a basket of catalogue items is placed under: the items' own (the seller's first
    active one for items without), which must be the same for all of them."""
    default = OrderType.objects.filter(seller=seller, is_active=True).order_by("pk").first()
    kinds: set[int] = set()
    for item in items:
        kind = item.order_type_id or (default.pk if default else None)
        if kind is not None:
            kinds.add(kind)
    if not items and default is not None:
        kinds = {default.pk}  # nothing known chosen: the checks that follow say what is wrong
    if len(kinds) > 1:
        raise ActionError(
            "mixed_order_types",
            _("These items are ordered separately: place one order for each kind of item."),
            details={"field": "lines"},
        )
    if not kinds:
        raise ActionError("no_order_type", _("This seller is not taking orders."))
    chosen = next(iter(kinds))
    found = OrderType.objects.select_related("current_version").filter(seller=seller, pk=chosen).first()
    if found is None:
        raise ActionError("no_order_type", _("This seller is not taking orders."))
    return found
