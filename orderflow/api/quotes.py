"""/orders/{number}/quotes: every version of an order's quote; drafting, sending, and answering one.

A sent version is never changed: a new one is drafted with POST /quotes once the last was declined or
expired, or by revising (POST .../{version}/revise), which supersedes a sent version. Accepting or
declining through the API is staff acting on the customer's behalf; each is logged as such."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import pgettext
from ninja import Field, Router, Schema, Status
from pydantic import model_validator

from orderflow.api.auth import ApiContext, context_of
from orderflow.api.errors import not_found, reads, writes
from orderflow.api.inputs import OrderNumber, Price, Quantity, RowId, decimal, text
from orderflow.api.orders import IfMatch, expected_version
from orderflow.orders.actions.common import MAX_INTERNAL_NOTES, MAX_LINE_TEXT, MAX_LINES, MAX_NOTE
from orderflow.orders.models import Order
from orderflow.quotes.actions import (
    QuoteLineInput,
    accept_quote,
    create_quote,
    decline_quote,
    revise_quote,
    send_quote,
    update_quote,
)
from orderflow.quotes.models import Quote, QuoteStatus
from orderflow.quotes.selectors import quote_of, quotes_of

router = Router(tags=["quotes"])

Version = Annotated[int, Field(ge=1, le=10_000)]
# Percent: up to 100 with 3 decimals (the action refuses more than 100).
TaxRate = Annotated[Decimal, decimal(places=3, below=1000, positive=False, at_most=100)]
Currency = Annotated[str, text(3, pattern=r"^[A-Za-z]{3}$")]


class QuoteLineIn(Schema):
    item_id: RowId | None = Field(None, description="A catalogue item: its name, SKU and tax rate by default")
    description: Annotated[str, text(MAX_LINE_TEXT)] = Field("", description="Required without item_id")
    quantity: Quantity = Decimal(1)
    unit_price: Price | None = Field(None, description="Needed on every line before the quote is sent")
    tax_rate: TaxRate | None = Field(None, description="Percent; the item's, or 0, when left out")

    @model_validator(mode="after")
    def _named(self) -> QuoteLineIn:
        if self.item_id is None and not self.description.strip():
            raise ValueError("give a catalogue item_id or a description")
        return self

    def as_input(self) -> QuoteLineInput:
        return QuoteLineInput(
            description=self.description,
            quantity=self.quantity,
            unit_price=self.unit_price,
            tax_rate=self.tax_rate,
            item_id=self.item_id,
        )


def _an_object(data: Any) -> Any:
    """Every field of a quote's body is optional, so only this tells a JSON object from a list."""
    source = getattr(data, "_obj", data)
    if not isinstance(source, dict):
        raise ValueError("the body must be a JSON object")
    return data


class QuoteIn(Schema):
    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        return _an_object(data)

    lines: list[QuoteLineIn] | None = Field(
        None, max_length=MAX_LINES, description="Left out: the draft starts from the order's lines"
    )
    currency: Currency | None = Field(None, description="A three-letter code; default: the order's")
    expires_on: dt.date | None = Field(None, description="The last day it may be accepted; default 30 days")
    completion_on: dt.date | None = Field(None, description="The promised completion date")
    notes: Annotated[str, text(MAX_INTERNAL_NOTES)] = Field("", description="Notes to the customer")


class QuotePatchIn(Schema):
    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        return _an_object(data)

    lines: list[QuoteLineIn] | None = Field(None, max_length=MAX_LINES, description="Replaces every line")
    currency: Currency | None = None
    expires_on: dt.date | None = None
    completion_on: dt.date | None = None
    notes: Annotated[str, text(MAX_INTERNAL_NOTES)] | None = None


class DeclineIn(Schema):
    reason: Annotated[str, text(MAX_NOTE, required=True)] = Field(description="Why the customer declines")


class QuoteLineOut(Schema):
    position: int
    item_id: int | None
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal | None
    tax_rate: Decimal
    amount: Decimal | None


class QuoteOut(Schema):
    version: int
    status: str = Field(description=", ".join(QuoteStatus.values))
    currency: str
    expires_on: dt.date
    completion_on: dt.date | None
    notes: str
    lines: list[QuoteLineOut]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    created_at: dt.datetime
    created_by: str
    sent_at: dt.datetime | None
    sent_by: str
    decided_at: dt.datetime | None
    decided_by: str
    decline_reason: str

    @classmethod
    def of(cls, quote: Quote) -> QuoteOut:
        lines = list(quote.lines.all())
        totals = quote.totals()
        return cls(
            version=quote.version,
            status=quote.status,
            currency=quote.currency,
            expires_on=quote.expires_on,
            completion_on=quote.completion_on,
            notes=quote.notes,
            lines=[
                QuoteLineOut(
                    position=line.position,
                    item_id=line.item_id,
                    sku=line.sku,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    tax_rate=line.tax_rate,
                    amount=line.amount,
                )
                for line in lines
            ],
            subtotal=totals.subtotal,
            tax=totals.tax,
            total=totals.total,
            created_at=quote.created_at,
            created_by=quote.created_by_name,
            sent_at=quote.sent_at,
            sent_by=quote.sent_by_name,
            decided_at=quote.decided_at,
            decided_by=quote.decided_by_name,
            decline_reason=quote.decline_reason,
        )


def _order(context: ApiContext, number: int) -> Order:
    order = Order.objects.filter(seller=context.seller, number=number).first()
    if order is None:
        raise not_found(pgettext("no such", "order"))
    return order


def _quote(context: ApiContext, number: int, version: int) -> Quote:
    quote = quote_of(_order(context, number), version)
    if quote is None:
        raise not_found(pgettext("no such", "quote version"))
    return quote


def _out(quote: Quote) -> QuoteOut:
    fresh = quote_of(quote.order, quote.version)
    assert fresh is not None
    return QuoteOut.of(fresh)


@router.get("/{number}/quotes", response=reads({200: list[QuoteOut]}, 404, 422), operation_id="list_quotes")
def list_quotes(request: HttpRequest, number: OrderNumber) -> list[QuoteOut]:
    """Every version of the order's quote, newest first (drafts included)."""
    context = context_of(request)
    return [QuoteOut.of(quote) for quote in quotes_of(_order(context, number))]


@router.post("/{number}/quotes", response=writes({201: QuoteOut}, 404), operation_id="create_quote")
def post_quote(
    request: HttpRequest, number: OrderNumber, payload: QuoteIn, if_match: IfMatch = None
) -> Status:
    """Draft the order's quote (the next version, after a declined or expired one)."""
    context = context_of(request)
    quote = create_quote(
        _order(context, number),
        actor=context.actor,
        expected_version=expected_version(if_match),
        lines=[line.as_input() for line in payload.lines] if payload.lines is not None else None,
        currency=payload.currency,
        expires_on=payload.expires_on,
        completion_on=payload.completion_on,
        notes=payload.notes,
    )
    return Status(201, _out(quote))


@router.get("/{number}/quotes/{version}", response=reads({200: QuoteOut}, 404, 422), operation_id="get_quote")
def get_quote(request: HttpRequest, number: OrderNumber, version: Version) -> QuoteOut:
    context = context_of(request)
    return QuoteOut.of(_quote(context, number, version))


@router.patch(
    "/{number}/quotes/{version}", response=writes({200: QuoteOut}, 404), operation_id="update_quote"
)
def patch_quote(
    request: HttpRequest,
    number: OrderNumber,
    version: Version,
    payload: QuotePatchIn,
    if_match: IfMatch = None,
) -> QuoteOut:
    """Change a draft; what is left out stays as it is. A sent version is refused (409 quote_sent)."""
    context = context_of(request)
    given = payload.model_fields_set
    kwargs: dict[str, object] = {}
    if "expires_on" in given:
        kwargs["expires_on"] = payload.expires_on
    if "completion_on" in given:
        kwargs["completion_on"] = payload.completion_on
    quote = update_quote(
        _quote(context, number, version),
        actor=context.actor,
        expected_version=expected_version(if_match),
        lines=[line.as_input() for line in payload.lines] if payload.lines is not None else None,
        currency=payload.currency,
        notes=payload.notes,
        **kwargs,  # type: ignore[arg-type]
    )
    return _out(quote)


@router.post(
    "/{number}/quotes/{version}/send", response=writes({200: QuoteOut}, 404), operation_id="send_quote"
)
def post_send(
    request: HttpRequest, number: OrderNumber, version: Version, if_match: IfMatch = None
) -> QuoteOut:
    """Send a draft to the customer; it is frozen from then on."""
    context = context_of(request)
    return _out(
        send_quote(
            _quote(context, number, version), actor=context.actor, expected_version=expected_version(if_match)
        )
    )


@router.post(
    "/{number}/quotes/{version}/revise", response=writes({201: QuoteOut}, 404), operation_id="revise_quote"
)
def post_revise(
    request: HttpRequest, number: OrderNumber, version: Version, if_match: IfMatch = None
) -> Status:
    """A new draft version copying this one; a sent version is superseded."""
    context = context_of(request)
    return Status(
        201,
        _out(
            revise_quote(
                _quote(context, number, version),
                actor=context.actor,
                expected_version=expected_version(if_match),
            )
        ),
    )


@router.post(
    "/{number}/quotes/{version}/accept", response=writes({200: QuoteOut}, 404), operation_id="accept_quote"
)
def post_accept(
    request: HttpRequest, number: OrderNumber, version: Version, if_match: IfMatch = None
) -> QuoteOut:
    """Accept a sent version on the customer's behalf: its lines, prices and completion date go onto the
    order. Refused for drafts (quote_not_sent), superseded, declined, expired or accepted versions."""
    context = context_of(request)
    return _out(
        accept_quote(
            _quote(context, number, version), actor=context.actor, expected_version=expected_version(if_match)
        )
    )


@router.post(
    "/{number}/quotes/{version}/decline", response=writes({200: QuoteOut}, 404), operation_id="decline_quote"
)
def post_decline(
    request: HttpRequest, number: OrderNumber, version: Version, payload: DeclineIn, if_match: IfMatch = None
) -> QuoteOut:
    """Decline a sent version on the customer's behalf, with the customer's reason."""
    context = context_of(request)
    return _out(
        decline_quote(
            _quote(context, number, version),
            actor=context.actor,
            reason=payload.reason,
            expected_version=expected_version(if_match),
        )
    )
