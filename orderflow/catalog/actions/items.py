"""Creating and changing catalogue items. Owners and managers change the catalogue; every change appends
an `ItemEvent` with the before and after of what changed, in the same transaction.

The rules of one item's values (`check_values`, `check_kind_and_price`) are shared with the import,
which collects every problem of every row instead of stopping at the first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from orderflow.accounts.models import Role, Seller
from orderflow.catalog.models import Availability, Item, ItemEvent, ItemKind
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.workflows.models import OrderType

# What a person sets on an item; `backup_item` and `order_type` are the seller's item and order type
# (an object or its id).
ITEM_FIELDS = (
    "sku",
    "name",
    "description",
    "kind",
    "unit",
    "unit_price",
    "tax_rate",
    "availability",
    "backup_item",
    "order_type",
)
TEXT_LIMITS = {"sku": 60, "name": 200, "description": 5000, "unit": 30}
REQUIRED_TEXT = ("sku", "name")
PRICE_BELOW = Decimal(10**10)  # the column holds 12 digits, 2 of them after the point


@dataclass(frozen=True)
class Problem:
    """One refused value: the field it is about, a stable code, a message for people."""

    field: str
    code: str
    message: str

    def error(self) -> ActionError:
        return ActionError(self.code, self.message, details={"field": self.field})


def label(field: str) -> str:
    model_field = Item._meta.get_field(field)
    assert isinstance(model_field, models.Field)
    return str(capfirst(model_field.verbose_name))


# ----------------------------------------------------------------------------------------------
# Rules of the values


def parse_decimal(raw: object) -> Decimal | None:
    """None for an empty value; raises ValueError for anything that is not a finite number."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _price(raw: object) -> tuple[Decimal | None, Problem | None]:
    try:
        value = parse_decimal(raw)
    except ValueError:
        value = Decimal(-1)
    if value is not None and (value < 0 or _places(value) > 2 or value >= PRICE_BELOW):
        refused = _(
            "%(field)s must be an amount of at least 0 with at most 2 decimals, e.g. 12.50 (not %(value)s)."
        )
        return None, Problem(
            "unit_price", "invalid_price", refused % {"field": label("unit_price"), "value": raw}
        )
    return value, None


def _tax_rate(raw: object) -> tuple[Decimal, Problem | None]:
    try:
        value = parse_decimal(raw)
    except ValueError:
        value = Decimal(-1)
    if value is None:
        return Decimal(0), None
    if not 0 <= value <= 100 or _places(value) > 3:
        refused = _("%(field)s must be a percentage from 0 to 100 with at most 3 decimals (not %(value)s).")
        return Decimal(0), Problem(
            "tax_rate", "invalid_tax_rate", refused % {"field": label("tax_rate"), "value": raw}
        )
    return value, None


def check_values(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The typed values of the fields given (text stripped, decimals parsed), and the problems of
    each on its own. `backup_item` and `order_type` pass through: they need the seller's data."""
    cleaned: dict[str, Any] = {}
    problems: list[Problem] = []
    for field, raw in values.items():
        if field in TEXT_LIMITS:
            text = "" if raw is None else str(raw).strip()
            if "\x00" in text:
                problems.append(
                    Problem(
                        field, "invalid", _("%(field)s contains a NUL character.") % {"field": label(field)}
                    )
                )
            elif field in REQUIRED_TEXT and not text:
                problems.append(
                    Problem(field, "required", _("%(field)s is required.") % {"field": label(field)})
                )
            elif len(text) > TEXT_LIMITS[field]:
                problems.append(
                    Problem(
                        field,
                        "too_long",
                        _("%(field)s is longer than %(limit)s characters.")
                        % {"field": label(field), "limit": TEXT_LIMITS[field]},
                    )
                )
            cleaned[field] = text
        elif field == "kind":
            if raw not in ItemKind.values:
                problems.append(
                    Problem(
                        field,
                        "invalid_kind",
                        _("%(field)s must be one of %(values)s (not %(value)s).")
                        % {"field": label(field), "values": ", ".join(ItemKind.values), "value": raw},
                    )
                )
            cleaned[field] = raw
        elif field == "availability":
            if raw not in Availability.values:
                problems.append(
                    Problem(
                        field,
                        "invalid_availability",
                        _("%(field)s must be one of %(values)s (not %(value)s).")
                        % {"field": label(field), "values": ", ".join(Availability.values), "value": raw},
                    )
                )
            cleaned[field] = raw
        elif field == "unit_price":
            cleaned[field], problem = _price(raw)
            problems.extend([problem] if problem else [])
        elif field == "tax_rate":
            cleaned[field], problem = _tax_rate(raw)
            problems.extend([problem] if problem else [])
        elif field in ("backup_item", "order_type"):
            cleaned[field] = raw
        else:
            raise ActionError("invalid", _("%(field)s is not a field of an item.") % {"field": field})
    return cleaned, problems


def check_kind_and_price(kind: str, unit_price: Decimal | None) -> Problem | None:
    """A request for quote has no price (the quote sets it); a product or flat fee has one."""
    if kind == ItemKind.QUOTE and unit_price is not None:
        return Problem(
            "unit_price",
            "price_not_allowed",
            _("A request for quote has no unit price: the quote sets it. Leave the price empty."),
        )
    if kind in (ItemKind.PRODUCT, ItemKind.FLAT_FEE) and unit_price is None:
        return Problem(
            "unit_price",
            "price_required",
            _("A product or flat-fee service needs a unit price (0 for a free one)."),
        )
    return None


def backup_problem(backup: Item | None, *, sku: str, item_pk: int | None) -> Problem | None:
    if backup is not None and ((item_pk is not None and backup.pk == item_pk) or backup.sku == sku):
        return Problem(
            "backup_item", "backup_is_itself", _("An item cannot be its own backup; choose another item.")
        )
    return None


def unknown_backup(value: object) -> Problem:
    return Problem(
        "backup_item",
        "unknown_backup_item",
        _("The backup item %(value)s is not in your catalogue.") % {"value": value},
    )


def unknown_order_type(value: object) -> Problem:
    return Problem(
        "order_type",
        "unknown_order_type",
        _("The order type %(value)s is not one of yours.") % {"value": value},
    )


def snapshot(item: Item, fields: Iterable[str] = ITEM_FIELDS) -> dict[str, str | None]:
    """The item's values as the log keeps them: JSON, readable (the backup by SKU, the order type by
    key), decimals as text."""
    shown: dict[str, str | None] = {}
    for field in fields:
        if field == "backup_item":
            shown[field] = item.backup_item.sku if item.backup_item is not None else None
        elif field == "order_type":
            shown[field] = item.order_type.key if item.order_type is not None else None
        elif field == "unit_price":
            price = item.unit_price
            shown[field] = None if price is None else f"{Decimal(price):.2f}"
        elif field == "tax_rate":
            shown[field] = f"{Decimal(item.tax_rate).normalize():f}"
        else:
            shown[field] = getattr(item, field)
    return shown


# ----------------------------------------------------------------------------------------------
# Who may


def may_manage_catalog(actor: Actor, seller: Seller) -> bool:
    """Owners and managers of the seller (and the system: the demo, imports they started)."""
    if actor.kind == "system":
        return True
    member = actor.membership
    return (
        actor.kind == "staff"
        and member is not None
        and member.is_active
        and member.seller_id == seller.pk
        and member.role in (Role.OWNER, Role.MANAGER)
    )


def check_may_manage(actor: Actor, seller: Seller) -> None:
    if not may_manage_catalog(actor, seller):
        raise Forbidden("forbidden", _("Only an owner or manager can change the catalogue."))


# ----------------------------------------------------------------------------------------------
# Actions


def _resolve_backup(seller: Seller, value: Item | int | None) -> Item | None:
    if value is None:
        return None
    pk = value.pk if isinstance(value, Item) else value
    found = Item.objects.filter(seller=seller, pk=pk).first()
    if found is None:
        raise unknown_backup(pk).error()
    return found


def _resolve_order_type(seller: Seller, value: OrderType | int | None) -> OrderType | None:
    if value is None:
        return None
    pk = value.pk if isinstance(value, OrderType) else value
    found = OrderType.objects.filter(seller=seller, pk=pk).first()
    if found is None:
        raise unknown_order_type(pk).error()
    return found


def _raise_first(problems: list[Problem]) -> None:
    if problems:
        first = problems[0]
        raise ActionError(
            first.code,
            first.message,
            details={"field": first.field, "fields": {p.field: [p.message] for p in problems}},
        )


def log_item_event(item: Item, *, type: str, actor: Actor, data: dict[str, Any]) -> ItemEvent:
    """Append one line to the item's log. Caller holds the transaction of the change."""
    user = actor.membership.user if actor.membership is not None else None
    return ItemEvent.objects.create(
        item=item,
        seller_id=item.seller_id,
        type=type,
        actor_user=user,
        actor_name=actor.name,
        data=data,
        created_at=timezone.now(),
    )


def _save(item: Item) -> None:
    """Save, refusing a SKU the seller already has (also when another request took it meanwhile)."""
    taken = Item.objects.filter(seller_id=item.seller_id, sku=item.sku)
    if item.pk is not None:
        taken = taken.exclude(pk=item.pk)
    duplicate = Problem(
        "sku", "duplicate_sku", _("Another item already has the SKU %(sku)s.") % {"sku": item.sku}
    )
    if taken.exists():
        raise duplicate.error()
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise duplicate.error() from None


def create_item(
    seller: Seller,
    *,
    actor: Actor,
    sku: str,
    name: str,
    kind: str = ItemKind.PRODUCT,
    unit_price: Decimal | str | None = None,
    tax_rate: Decimal | str = Decimal(0),
    description: str = "",
    unit: str = "",
    availability: str = Availability.AVAILABLE,
    backup_item: Item | int | None = None,
    order_type: OrderType | int | None = None,
) -> Item:
    """Add an item to the seller's catalogue; logged as "created" with its values."""
    check_may_manage(actor, seller)
    values, problems = check_values(
        {
            "sku": sku,
            "name": name,
            "description": description,
            "kind": kind,
            "unit": unit,
            "unit_price": unit_price,
            "tax_rate": tax_rate,
            "availability": availability,
        }
    )
    _raise_first(problems)
    _raise_first([p for p in [check_kind_and_price(values["kind"], values["unit_price"])] if p])
    with transaction.atomic():
        backup = _resolve_backup(seller, backup_item)
        _raise_first([p for p in [backup_problem(backup, sku=values["sku"], item_pk=None)] if p])
        item = Item(
            seller=seller, backup_item=backup, order_type=_resolve_order_type(seller, order_type), **values
        )
        _save(item)
        log_item_event(item, type="created", actor=actor, data={"after": snapshot(item)})
    return item


def update_item(item: Item, *, actor: Actor, changes: Mapping[str, Any]) -> Item:
    """Change some of the item's fields (names of ITEM_FIELDS); logged as "changed" with the before and
    after of the fields whose value changed. Nothing changed: nothing is written."""
    check_may_manage(actor, item.seller)
    values, problems = check_values(changes)
    _raise_first(problems)
    with transaction.atomic():
        locked = Item.objects.select_related("seller", "backup_item", "order_type").select_for_update(
            of=("self",)
        )
        current = locked.get(pk=item.pk)
        if "backup_item" in values:
            values["backup_item"] = _resolve_backup(current.seller, values["backup_item"])
        if "order_type" in values:
            values["order_type"] = _resolve_order_type(current.seller, values["order_type"])
        changed = [
            field for field in ITEM_FIELDS if field in values and values[field] != getattr(current, field)
        ]
        if not changed:
            return current
        before = snapshot(current, changed)
        for field in changed:
            setattr(current, field, values[field])
        _raise_first([p for p in [check_kind_and_price(current.kind, current.unit_price)] if p])
        _raise_first(
            [p for p in [backup_problem(current.backup_item, sku=current.sku, item_pk=current.pk)] if p]
        )
        _save(current)
        log_item_event(
            current, type="changed", actor=actor, data={"before": before, "after": snapshot(current, changed)}
        )
    return current


def set_availability(item: Item, *, availability: str, actor: Actor) -> Item:
    """Mark the item available, out of stock or discontinued (one click on the catalogue page);
    logged with the before and after. Already so: nothing is written."""
    check_may_manage(actor, item.seller)
    if availability not in Availability.values:
        _raise_first(check_values({"availability": availability})[1])
    with transaction.atomic():
        current = Item.objects.select_for_update(of=("self",)).select_related("seller").get(pk=item.pk)
        if current.availability == availability:
            return current
        before = current.availability
        current.availability = availability
        current.save(update_fields=["availability", "updated_at"])
        event = "discontinued" if availability == Availability.DISCONTINUED else "availability_changed"
        log_item_event(
            current,
            type=event,
            actor=actor,
            data={"before": {"availability": before}, "after": {"availability": availability}},
        )
    return current


def discontinue_item(item: Item, *, actor: Actor) -> Item:
    """No longer offered: customers cannot order it; past orders keep their lines."""
    return set_availability(item, availability=Availability.DISCONTINUED, actor=actor)
