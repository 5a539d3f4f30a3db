"""/catalog/items: the seller's catalogue, read by any token, changed by an owner's or manager's.

Another seller's item is a 404, like one that does not exist. Changes go through the catalogue
actions, which log each with its before and after."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema, model_validator

from orderflow.accounts.models import Seller
from orderflow.api import pagination
from orderflow.api.auth import ApiContext, context_of
from orderflow.api.errors import invalid, not_found, reads, writes
from orderflow.api.inputs import CURSOR, Price, RowId, Rules, Text, text
from orderflow.catalog import selectors
from orderflow.catalog.actions import create_item, update_item
from orderflow.catalog.actions.items import TEXT_LIMITS
from orderflow.catalog.models import Availability, Item, ItemKind
from orderflow.workflows.models import OrderType

router = Router(tags=["catalog"])

Kind = Literal["product", "flat_fee", "quote"]
AvailabilityValue = Literal["available", "out_of_stock", "discontinued"]
assert set(Kind.__args__) == set(ItemKind.values)  # type: ignore[attr-defined]
assert set(AvailabilityValue.__args__) == set(Availability.values)  # type: ignore[attr-defined]

# A percentage from 0 to 100 with at most 3 decimals, as a number or a string ("8.875"): what the
# action accepts (catalog.actions.items._tax_rate), declared.
TAX_PATTERN = r"^(100(\.0{1,3})?|[0-9]{1,2}(\.[0-9]{1,3})?)$"
_TAX = re.compile(TAX_PATTERN)


def _plain_tax(value: object) -> object:
    if isinstance(value, bool) or (isinstance(value, str) and not _TAX.fullmatch(value)):
        raise ValueError('must be a percentage from 0 to 100 with at most 3 decimals, e.g. "8.875"')
    return value


TaxRate = Annotated[
    Decimal,
    Rules(
        BeforeValidator(_plain_tax),
        Field(ge=Decimal(0), le=Decimal(100), decimal_places=3, max_digits=6),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.001},
                    {"type": "string", "pattern": TAX_PATTERN},
                ]
            }
        ),
    ),
]
Sku = Annotated[str, text(TEXT_LIMITS["sku"], required=True)]
Name = Annotated[str, text(TEXT_LIMITS["name"], required=True)]
Description = Annotated[str, text(TEXT_LIMITS["description"])]
Unit = Annotated[str, text(TEXT_LIMITS["unit"])]


class ItemOut(Schema):
    id: int
    sku: str
    name: str
    description: str
    kind: str
    unit: str
    unit_price: str | None = Field(description="In `currency`; null for a request for quote")
    currency: str
    tax_rate: str = Field(description="Percent")
    availability: str
    orderable: bool = Field(
        description="Whether customers can order it now (out of stock: only with backorders)"
    )
    backup_item: int | None = Field(description="The suggested backup item's id")
    order_type: str | None = Field(description="The key of the order type it is ordered under")
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_item(cls, item: Item) -> ItemOut:
        return cls(
            id=item.pk,
            sku=item.sku,
            name=item.name,
            description=item.description,
            kind=item.kind,
            unit=item.unit,
            unit_price=None if item.unit_price is None else f"{item.unit_price:.2f}",
            currency=item.seller.currency,
            tax_rate=f"{Decimal(item.tax_rate).normalize():f}",
            availability=item.availability,
            orderable=item.orderable,
            backup_item=item.backup_item_id,
            order_type=item.order_type.key if item.order_type is not None else None,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )


class ItemPageOut(Schema):
    items: list[ItemOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class ItemQuery(Schema):
    q: Text = Field("", description="In SKUs and names (any case, any accents)")
    kind: Kind | None = None
    availability: AvailabilityValue | None = None
    limit: int = Field(50, ge=1, le=100)
    cursor: Annotated[str, text(pattern=CURSOR)] | None = Field(
        None, description="The `next` of the previous page"
    )


class ItemIn(Schema):
    sku: Sku = Field(description="Unique in your catalogue")
    name: Name
    description: Description = ""
    kind: Kind = "product"
    unit: Unit = Field("", description="e.g. keg, case, hour, door")
    unit_price: Price | None = Field(None, description="Required for a product or flat fee; null for a quote")
    tax_rate: TaxRate = Field(Decimal(0), description="Percent, 0 to 100")
    availability: AvailabilityValue = "available"
    backup_item: RowId | None = Field(None, description="The id of another of your items")
    order_type: Text | None = Field(None, description="An order type's key; null: the first")

    # A request for quote has no price; a product or flat fee has one.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "required": ["kind"],
                    "properties": {"kind": {"const": "quote"}, "unit_price": {"type": "null"}},
                },
                {
                    "required": ["unit_price"],
                    "properties": {
                        "kind": {"enum": ["product", "flat_fee"]},
                        "unit_price": {"not": {"type": "null"}},
                    },
                },
            ]
        }
    )

    @model_validator(mode="after")
    def _priced_by_kind(self) -> ItemIn:
        if (self.kind == "quote") != (self.unit_price is None):
            raise ValueError("a quote has no unit_price; a product or flat fee needs one")
        return self


def _no_defaults(schema: dict[str, Any]) -> None:
    """A field left out of a PATCH is unchanged: it has no default to document."""
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class ItemPatch(Schema):
    """Only the fields sent are changed; null clears the price, the backup item or the order type."""

    sku: Sku = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    description: Description = None  # type: ignore[assignment]
    kind: Kind = None  # type: ignore[assignment]
    unit: Unit = None  # type: ignore[assignment]
    unit_price: Price | None = None
    tax_rate: TaxRate = None  # type: ignore[assignment]
    availability: AvailabilityValue = None  # type: ignore[assignment]
    backup_item: RowId | None = None
    order_type: Text | None = None

    model_config = ConfigDict(json_schema_extra=_no_defaults)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja's Schema reads fields off any object; with every field optional, a JSON array or
        # number would otherwise pass as an empty patch.
        if not isinstance(getattr(data, "_obj", data), dict):  # ninja hands a DjangoGetter of the body
            raise ValueError("must be a JSON object")
        return data


def _order_type(context: ApiContext, key: str | None) -> OrderType | None:
    if key is None:
        return None
    found = OrderType.objects.filter(seller=context.seller, key=key).first()
    if found is None:
        raise invalid("order_type", _("No order type %(order_type)r.") % {"order_type": key})
    return found


def _page(seller: Seller, query: ItemQuery) -> ItemPageOut:
    items = selectors.search_items(
        seller, q=query.q, kind=query.kind or "", availability=query.availability or ""
    ).order_by("name", "pk")
    if query.cursor:
        payload = pagination.decode(query.cursor, sort="name")
        name = pagination.cursor_value(payload, "value", str)
        pk = pagination.cursor_value(payload, "id", int)
        items = items.filter(Q(name__gt=name) | Q(name=name, pk__gt=pk))
    rows, last = pagination.cut(list(items[: query.limit + 1]), query.limit)
    following = pagination.encode({"sort": "name", "value": last.name, "id": last.pk}) if last else None
    return ItemPageOut(items=[ItemOut.from_item(item) for item in rows], next=following)


def _item(context: ApiContext, item_id: int) -> Item:
    item = selectors.item_of(context.seller, item_id)
    if item is None:
        raise not_found(pgettext("no such", "catalogue item"))
    return item


@router.get("/items", response=reads({200: ItemPageOut}, 400, 422), operation_id="list_catalog_items")
def list_items(request: HttpRequest, query: Query[ItemQuery]) -> ItemPageOut:
    """The seller's items by name, a page at a time."""
    return _page(context_of(request).seller, query)


@router.post("/items", response=writes({201: ItemOut}), operation_id="create_catalog_item")
def create(request: HttpRequest, payload: ItemIn) -> Status:
    """Add an item (owners and managers). 400 duplicate_sku, unknown_backup_item; 422 order_type."""
    context = context_of(request)
    item = create_item(
        context.seller,
        actor=context.actor,
        sku=payload.sku,
        name=payload.name,
        description=payload.description,
        kind=payload.kind,
        unit=payload.unit,
        unit_price=payload.unit_price,
        tax_rate=payload.tax_rate,
        availability=payload.availability,
        backup_item=payload.backup_item,
        order_type=_order_type(context, payload.order_type),
    )
    return Status(201, ItemOut.from_item(_item(context, item.pk)))


@router.get("/items/{item_id}", response=reads({200: ItemOut}, 404, 422), operation_id="get_catalog_item")
def get_item(request: HttpRequest, item_id: RowId) -> ItemOut:
    return ItemOut.from_item(_item(context_of(request), item_id))


@router.patch("/items/{item_id}", response=writes({200: ItemOut}, 404), operation_id="update_catalog_item")
def patch_item(request: HttpRequest, item_id: RowId, payload: ItemPatch) -> ItemOut:
    """Change the fields sent, logged with their before and after (owners and managers)."""
    context = context_of(request)
    item = _item(context, item_id)
    changes = payload.model_dump(exclude_unset=True)
    if "order_type" in changes:
        changes["order_type"] = _order_type(context, changes["order_type"])
    update_item(item, actor=context.actor, changes=changes)
    return ItemOut.from_item(_item(context, item_id))
