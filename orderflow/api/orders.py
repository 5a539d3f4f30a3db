"""/orders: the dashboard's list, placing an order, and every change staff make on the order page.

Changes honour `If-Match: "<version>"` (the ETag of the order as last read): when the order changed
since, the action refuses with 409 "stale" and nothing is written. Each change answers the order as
it is now, with its new ETag.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import ConfigDict, WithJsonSchema, model_validator

from orderflow.accounts.models import Contact, Customer, Membership
from orderflow.api import selectors
from orderflow.api.auth import ApiContext, context_of
from orderflow.api.errors import ApiError, invalid, not_found, reads, writes
from orderflow.api.inputs import (
    CURSOR,
    NOT_BLANK,
    Amount,
    OrderNumber,
    Price,
    Quantity,
    RowId,
    Text,
    text,
)
from orderflow.api.schemas import OrderDetailOut, OrderOut, TransitionOptionOut
from orderflow.core.actors import Actor
from orderflow.orders import export
from orderflow.orders.actions import (
    LineInput,
    archive_order,
    assign_order,
    available_transitions,
    cancel_order,
    edit_internal_notes,
    edit_line,
    place_order,
    record_shipment,
    refund_order,
    set_estimated_completion,
    transition_order,
    update_line,
)
from orderflow.orders.actions.common import (
    MAX_INTERNAL_NOTES,
    MAX_LINE_TEXT,
    MAX_LINES,
    MAX_NOTE,
    MAX_SKU,
    MAX_TITLE,
)
from orderflow.orders.models import Carrier, LineStatus, Order
from orderflow.orders.selectors import DEFAULT_SORT, SORT_CHOICES, OrderFilters, order_list
from orderflow.workflows.definition import CATEGORIES
from orderflow.workflows.models import OrderType

router = Router(tags=["orders"])

SortKey = Literal[
    "-last_activity",
    "last_activity",
    "-submitted",
    "submitted",
    "estimated_completion",
    "-estimated_completion",
]
Category = Literal["open", "active", "waiting", "done", "cancelled"]
assert set(Category.__args__) == set(CATEGORIES)  # type: ignore[attr-defined]
assert set(SortKey.__args__) == {key for key, _ in SORT_CHOICES}  # type: ignore[attr-defined]

# An ETag as GET gives it ("7", or W/"7" through a proxy), the bare version (7), or * (any version).
IF_MATCH = r'^[ \t]*(\*|(W/)?"[0-9]{1,9}"|[0-9]{1,9})[ \t]*$'
IfMatch = Annotated[
    str | None,
    # Documented, and checked by `expected_version` (400 invalid_if_match) rather than by ninja (422).
    WithJsonSchema({"type": "string", "pattern": IF_MATCH}),
    # Last, where ninja looks for it; the default here, since ninja ignores the one in the signature
    # when there is more than one annotation.
    Header(
        None,
        alias="If-Match",
        description='The order\'s version as its ETag gave it, e.g. "7": the change is refused (409 stale) '
        "if the order changed since.",
    ),
]


# ----------------------------------------------------------------------------------------------
# Shapes


class OrderFilterQuery(Schema):
    """The list's filters and sort, shared by the list and its export."""

    search: Text = Field("", description="In titles and customer names; '#12' or '12' finds order 12")
    order_type: Text = Field("", description="An order type's key")
    category: Category | None = None
    state: Text = Field("", description="A state key")
    assignee: str | None = Field(
        None, pattern=r"^(unassigned|[1-9][0-9]{0,17})$", description="A staff member's id, or unassigned"
    )
    customer: RowId | None = None
    archived: bool = Field(False, description="Include archived orders")
    sort: SortKey = cast(SortKey, DEFAULT_SORT)


class OrderQuery(OrderFilterQuery):
    limit: int = Field(50, ge=1, le=100)
    cursor: Annotated[str, text(pattern=CURSOR)] | None = Field(
        None, description="The `next` of the previous page"
    )


class OrderExportQuery(OrderFilterQuery):
    format: Literal["csv", "xlsx"] = Field("csv", description="CSV (UTF-8 with a byte order mark) or XLSX")


assert set(OrderExportQuery.model_fields["format"].annotation.__args__) == set(export.FORMATS)  # type: ignore[union-attr]


class OrderPageOut(Schema):
    items: list[OrderOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class LineIn(Schema):
    """A catalogue line (`item_id`: description, price and tax from the catalogue item; `unit_price`
    overrides the price) or a free line (`description`, and the price as given)."""

    item_id: RowId | None = Field(None, description="A catalogue item of the seller (GET /catalog/items)")
    backup_item_id: RowId | None = Field(
        None, description="With item_id: the catalogue item the customer accepts if it is out of stock"
    )
    description: Annotated[str, text(MAX_LINE_TEXT)] = Field("", description="Required for a free line")
    quantity: Quantity = Decimal(1)
    unit_price: Price | None = None
    sku: Annotated[str, text(MAX_SKU)] = ""
    backup_description: Annotated[str, text(MAX_LINE_TEXT)] = Field(
        "", description="For a free line: what the customer accepts if this is out of stock"
    )

    # A line is a catalogue item (with a backup or not), or described (without a catalogue backup).
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["item_id"], "properties": {"item_id": {"type": "integer"}}},
                {
                    "required": ["description"],
                    "properties": {"description": {"pattern": NOT_BLANK}, "backup_item_id": {"type": "null"}},
                },
            ]
        }
    )

    @model_validator(mode="after")
    def _named(self) -> LineIn:
        if self.item_id is None and not self.description.strip():
            raise ValueError("give a catalogue item_id or a description")
        if self.item_id is None and self.backup_item_id is not None:
            raise ValueError("a backup_item_id goes with an item_id")
        return self


class OrderIn(Schema):
    customer: RowId
    contact: RowId | None = Field(None, description="The customer's contact placing it")
    order_type: Text = Field(description="An order type's key (see GET /order-types)")
    title: Annotated[str, text(MAX_TITLE)] = Field(
        "", description="Defaults to the first line's description; needed when there are no lines"
    )
    lines: list[LineIn] = Field(default_factory=list, max_length=MAX_LINES)
    customer_notes: Annotated[str, text(MAX_INTERNAL_NOTES)] = ""
    state: Text | None = Field(None, description="An entry state of the workflow; the initial one if null")
    fulfilment: Literal["pickup", "delivery"] | None = Field(
        None, description="Where the order type leaves pickup or delivery to each order: the choice"
    )

    # The order needs a name: a title, or a line whose description becomes it.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["title"], "properties": {"title": {"pattern": NOT_BLANK}}},
                {"required": ["lines"], "properties": {"lines": {"minItems": 1}}},
            ]
        }
    )

    @model_validator(mode="after")
    def _named(self) -> OrderIn:
        if not self.lines and not self.title.strip():
            raise ValueError("give the order a title or at least one line")
        return self


class TransitionIn(Schema):
    to: Text = Field(description="The state to move to (see available_transitions)")
    note: Annotated[str, text(MAX_NOTE)] = ""


class AssignIn(Schema):
    assignee: RowId | None = Field(description="A staff member's id; null unassigns")


class EstimateIn(Schema):
    date: dt.date | None = Field(description="YYYY-MM-DD; null clears it")


class CancelIn(Schema):
    reason: Annotated[str, text(MAX_NOTE)] = ""
    refund_amount: Amount | None = Field(None, description="Refund this much in the same step")


class RefundIn(Schema):
    amount: Amount
    reason: Annotated[str, text(MAX_NOTE, required=True)] = Field(
        description="Shown to the customer as the refund's reason"
    )


class InternalNotesIn(Schema):
    notes: Annotated[str, text(MAX_INTERNAL_NOTES)]


class LineChangeIn(Schema):
    status: Literal["available", "out_of_stock", "substituted"]
    substitute: Annotated[str, text(MAX_LINE_TEXT)] = Field(
        "", description="For substituted: what replaces it (default: the backup)"
    )


class ShipmentIn(Schema):
    carrier: Annotated[str, text(80, required=True)] = Field(
        description="The name of one of the seller's carriers (seller settings)"
    )
    tracking_number: Annotated[str, text(60, required=True)]
    estimated_delivery: dt.date | None = Field(None, description="YYYY-MM-DD")


class LinePatchIn(Schema):
    """What to change on a line; what is left out stays as it is."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # Every field is optional, so only this tells a JSON object from a list or a number.
        source = getattr(data, "_obj", data)
        if not isinstance(source, dict):
            raise ValueError("the body must be a JSON object")
        return data

    quantity: Quantity | None = None
    unit_price: Price | None = Field(None, description="Left out: unchanged")
    status: Literal["available", "out_of_stock", "substituted"] | None = None
    substitute_item_id: RowId | None = Field(
        None, description="For substituted: the catalogue item that replaces it (default: the backup)"
    )
    substitute: Annotated[str, text(MAX_LINE_TEXT)] = Field(
        "", description="For substituted without a catalogue item: what replaces it"
    )


assert set(LineChangeIn.model_fields["status"].annotation.__args__) == set(LineStatus.values)  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------------------
# Helpers


def etag(order: Order) -> str:
    return f'"{order.version}"'


def expected_version(if_match: str | None) -> int | None:
    """If-Match -> the version the client last read; None when absent or "*"."""
    if if_match is None:
        return None
    if not re.fullmatch(IF_MATCH, if_match):
        raise ApiError(
            400,
            "invalid_if_match",
            _('If-Match must be the order\'s ETag, e.g. "7".'),
            details={"field": "If-Match"},
        )
    value = if_match.strip(" \t").removeprefix("W/").strip('"')
    return None if value == "*" else int(value)


def detail(order: Order, actor: Actor) -> OrderDetailOut:
    locale = order.seller.locale
    base = OrderOut.from_order(order, refunded=selectors.refunded(order))
    options = [
        TransitionOptionOut(to=t.target, label=t.label(locale), note=t.note)
        for t in available_transitions(order, actor)
    ]
    return OrderDetailOut.model_construct(**dict(base), available_transitions=options)


def _order(context: ApiContext, number: int) -> Order:
    order = selectors.order_of(context.seller, number)
    if order is None:
        raise not_found(pgettext("no such", "order"))
    return order


def _target(context: ApiContext, number: int) -> Order:
    """The order a change names: its row only, since the action re-reads it under a lock."""
    order = Order.objects.filter(seller=context.seller, number=number).first()
    if order is None:
        raise not_found(pgettext("no such", "order"))
    return order


def _answer(context: ApiContext, number: int, response: HttpResponse, status: int = 200) -> Status:
    """The order as it is after a change, with its new ETag."""
    order = _order(context, number)
    response["ETag"] = etag(order)
    return Status(status, detail(order, context.actor))


# ----------------------------------------------------------------------------------------------
# Reading


@router.get("", response=reads({200: OrderPageOut}, 400, 422), operation_id="list_orders")
def list_orders(request: HttpRequest, query: Query[OrderQuery]) -> HttpResponse:
    """The seller's orders with the dashboard's filters and sorts, a page at a time (cursor)."""
    context = context_of(request)
    page = selectors.orders_page(
        context.seller, _filters(context, query), limit=query.limit, cursor=query.cursor
    )
    # The page is already in the documented shape (OrderPageOut), in plain JSON types: written out as
    # ninja would write it, without validating it again on the way (schemathesis checks the answers in
    # the tests).
    body = json.dumps({"items": page.items, "next": page.next})
    return HttpResponse(body, content_type="application/json; charset=utf-8")


# The file, documented as what it is; ninja only knows JSON bodies.
_EXPORT_RESPONSE = {
    "description": "Every order matching the filters, in the list's order, one row each. Headers and "
    "status labels follow Accept-Language; dates and times are the seller's local time.",
    "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
    "content": {
        export.CONTENT_TYPES[file_format].split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
        for file_format in export.FORMATS
    },
}


@router.get(
    "/export",
    response=reads({}, 400, 422),
    operation_id="export_orders",
    openapi_extra={"responses": {"200": _EXPORT_RESPONSE}},
)
def export_orders(request: HttpRequest, query: Query[OrderExportQuery]) -> HttpResponseBase:
    """The orders `GET /orders` lists (same filters and sort, all pages) as a CSV or XLSX file; text a
    spreadsheet would run as a formula is written as text. At most 100,000 orders in CSV, 25,000 in
    XLSX (400 export_too_large)."""
    context = context_of(request)
    orders = order_list(context.seller, _filters(context, query))
    export.check_size(orders, query.format)
    return export.response(
        orders, query.format, seller=context.seller, language=translation.get_language() or "en"
    )


def _filters(context: ApiContext, query: OrderFilterQuery) -> OrderFilters:
    seller = context.seller
    order_type = None
    if query.order_type:
        order_type = OrderType.objects.filter(seller=seller, key=query.order_type).first()
        if order_type is None:
            raise invalid("order_type", _("No order type %(order_type)r.") % {"order_type": query.order_type})
    customer = None
    if query.customer is not None:
        customer = Customer.objects.filter(seller=seller, pk=query.customer).first()
        if customer is None:
            raise invalid("customer", _("No such customer."))
    assignee: Membership | Literal["unassigned"] | None = None
    if query.assignee == "unassigned":
        assignee = "unassigned"
    elif query.assignee:
        assignee = Membership.objects.filter(seller=seller, pk=int(query.assignee)).first()
        if assignee is None:
            raise invalid("assignee", _("No such staff member."))
    return OrderFilters(
        search=query.search,
        order_type=order_type,
        category=query.category or "",
        state=query.state,
        assignee=assignee,
        customer=customer,
        include_archived=query.archived,
        sort=query.sort,
    )


@router.get("/{number}", response=reads({200: OrderDetailOut}, 404, 422), operation_id="get_order")
def get_order(request: HttpRequest, number: OrderNumber, response: HttpResponse) -> OrderDetailOut:
    """One order, with the moves this token may make next. The ETag is its version."""
    context = context_of(request)
    order = _order(context, number)
    response["ETag"] = etag(order)
    return detail(order, context.actor)


# ----------------------------------------------------------------------------------------------
# Placing


@router.post("", response=writes({201: OrderDetailOut}), operation_id="create_order")
def create_order(request: HttpRequest, payload: OrderIn, response: HttpResponse) -> Status:
    """Place an order for one of the seller's customers."""
    context = context_of(request)
    seller = context.seller
    customer = Customer.objects.filter(seller=seller, pk=payload.customer).first()
    if customer is None:
        raise invalid("customer", _("No such customer."))
    contact = None
    if payload.contact is not None:
        contact = Contact.objects.filter(customer=customer, pk=payload.contact).first()
        if contact is None:
            raise invalid("contact", _("No such contact of this customer."))
    order_type = OrderType.objects.filter(seller=seller, key=payload.order_type).first()
    if order_type is None:
        raise invalid("order_type", _("No order type %(order_type)r.") % {"order_type": payload.order_type})
    order = place_order(
        customer,
        order_type=order_type,
        actor=context.actor,
        contact=contact,
        title=payload.title,
        customer_notes=payload.customer_notes,
        state=payload.state,
        lines=[
            LineInput(
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                sku=line.sku,
                backup_description=line.backup_description,
                item_id=line.item_id,
                backup_item_id=line.backup_item_id,
            )
            for line in payload.lines
        ],
        options={"fulfilment": payload.fulfilment} if payload.fulfilment else None,
    )
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{order.number}")
    return _answer(context, order.number, response, status=201)


# ----------------------------------------------------------------------------------------------
# Changing


@router.post(
    "/{number}/transitions", response=writes({200: OrderDetailOut}, 404), operation_id="transition_order"
)
def post_transition(
    request: HttpRequest,
    number: OrderNumber,
    payload: TransitionIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Status:
    """Move the order along one of its workflow's transitions (see available_transitions)."""
    context = context_of(request)
    transition_order(
        _target(context, number),
        to=payload.to,
        note=payload.note,
        actor=context.actor,
        expected_version=expected_version(if_match),
    )
    return _answer(context, number, response)


@router.post("/{number}/assign", response=writes({200: OrderDetailOut}, 404), operation_id="assign_order")
def post_assign(
    request: HttpRequest,
    number: OrderNumber,
    payload: AssignIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Status:
    """Assign the order to an active staff member (ids from GET /staff), or unassign it with null."""
    context = context_of(request)
    assignee = None
    if payload.assignee is not None:
        assignee = (
            Membership.objects.filter(seller=context.seller, pk=payload.assignee)
            .select_related("user")
            .first()
        )
        if assignee is None:
            raise invalid("assignee", _("No such staff member."))
    assign_order(
        _target(context, number),
        assignee=assignee,
        actor=context.actor,
        expected_version=expected_version(if_match),
    )
    return _answer(context, number, response)


@router.post(
    "/{number}/estimated-completion",
    response=writes({200: OrderDetailOut}, 404),
    operation_id="set_estimated_completion",
)
def post_estimate(
    request: HttpRequest,
    number: OrderNumber,
    payload: EstimateIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Status:
    """Set or clear when the order should be complete."""
    context = context_of(request)
    set_estimated_completion(
        _target(context, number),
        date=payload.date,
        actor=context.actor,
        expected_version=expected_version(if_match),
    )
    return _answer(context, number, response)


@router.post("/{number}/cancel", response=writes({200: OrderDetailOut}, 404), operation_id="cancel_order")
def post_cancel(
    request: HttpRequest,
    number: OrderNumber,
    payload: CancelIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Status:
    """Cancel where the workflow allows it, optionally refunding in the same step."""
    context = context_of(request)
    cancel_order(
        _target(context, number),
        reason=payload.reason,
        refund_amount=payload.refund_amount,
        actor=context.actor,
        expected_version=expected_version(if_match),
    )
    return _answer(context, number, response)


@router.post("/{number}/refunds", response=writes({201: OrderDetailOut}, 404), operation_id="refund_order")
def post_refund(
    request: HttpRequest,
    number: OrderNumber,
    payload: RefundIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Status:
    """Refund part or all of the order, in any state. Answers the order with its new `refunded`."""
    context = context_of(request)
    refund_order(
        _target(context, number),
        amount=payload.amount,
        reason=payload.reason,
        actor=context.actor,
        expected_version=expected_version(if_match),
    )
    return _answer(context, number, response, status=201)


@router.post("/{number}/archive", response=writes({200: OrderDetailOut}, 404), operation_id="archive_order")
def post_archive(
    request: HttpRequest, number: OrderNumber, response: HttpResponse, if_match: IfMatch = None
) -> Status:
    """Hide a finished order from the default list (moving it to the workflow's archive state if any)."""
    context = context_of(request)
    archive_order(_target(context, number), actor=context.actor, expected_version=expected_version(if_match))
    return _answer(context, number, response)


@router.post(
    "/{number}/internal-notes",
    response=writes({200: OrderDetailOut}, 404),
    operation_id="edit_internal_notes",
)
def post_internal_notes(
    request: HttpRequest,
    number: OrderNumber,
    payload: InternalNotesIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Status:
    """Replace the staff-only notes of the order (never shown to the customer)."""
    context = context_of(request)
    edit_internal_notes(
        _target(context, number),
        notes=payload.notes,
        actor=context.actor,
        expected_version=expected_version(if_match),
    )
    return _answer(context, number, response)


@router.post(
    "/{number}/lines/{position}", response=writes({200: OrderDetailOut}, 404), operation_id="update_line"
)
def post_line(
    request: HttpRequest,
    number: OrderNumber,
    position: OrderNumber,
    payload: LineChangeIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Status:
    """Mark a line available, out of stock, or substituted (PATCH changes quantities and prices too)."""
    context = context_of(request)
    order = _target(context, number)
    line = order.lines.filter(position=position).first()
    if line is None:
        raise not_found(pgettext("no such", "line"))
    line.order = order
    update_line(
        line,
        status=payload.status,
        substitute=payload.substitute,
        actor=context.actor,
        expected_version=expected_version(if_match),
    )
    return _answer(context, number, response)


@router.post(
    "/{number}/shipments", response=writes({201: OrderDetailOut}, 404), operation_id="record_shipment"
)
def post_shipment(
    request: HttpRequest,
    number: OrderNumber,
    payload: ShipmentIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Status:
    """Record a parcel sent for the order: its carrier, tracking number (the tracking link is built from
    the carrier's address) and estimated delivery date. The customer is told per the seller's rules."""
    context = context_of(request)
    order = _target(context, number)
    carrier = Carrier.objects.filter(seller=context.seller, name=payload.carrier.strip()).first()
    if carrier is None:
        raise invalid("carrier", _("No carrier named %(name)r.") % {"name": payload.carrier})
    record_shipment(
        order,
        carrier=carrier,
        tracking_number=payload.tracking_number,
        estimated_delivery=payload.estimated_delivery,
        actor=context.actor,
        expected_version=expected_version(if_match),
    )
    return _answer(context, number, response, status=201)


@router.patch(
    "/{number}/lines/{position}", response=writes({200: OrderDetailOut}, 404), operation_id="patch_line"
)
def patch_line(
    request: HttpRequest,
    number: OrderNumber,
    position: OrderNumber,
    payload: LinePatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Status:
    """Change a line's quantity, unit price or status (available, out_of_stock, substituted by a
    catalogue item or what `substitute` names), while the order's state lets its lines change.
    The customer is told."""
    context = context_of(request)
    order = _target(context, number)
    if not order.lines.filter(position=position).exists():
        raise not_found(pgettext("no such", "line"))
    changes: dict[str, Any] = {}
    if "unit_price" in payload.model_fields_set:
        changes["unit_price"] = payload.unit_price
    edit_line(
        order,
        position=position,
        quantity=payload.quantity,
        status=payload.status,
        substitute=payload.substitute,
        substitute_item_id=payload.substitute_item_id,
        actor=context.actor,
        expected_version=expected_version(if_match),
        **changes,
    )
    return _answer(context, number, response)
