"""Customer confirmations of an order's quote (source article 003): send one to a contact in the
customer's domain, list them with the evidence of their acceptance, withdraw one, progress the
accepted quote into the order. The evidence is read-only: no endpoint changes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import pgettext
from ninja import Field, Router, Schema, Status

from orderflow.accounts.models import Contact
from orderflow.api.auth import ApiContext, context_of
from orderflow.api.errors import not_found, reads, writes
from orderflow.api.inputs import OrderNumber, RowId
from orderflow.api.orders import IfMatch, _answer, _target, expected_version
from orderflow.api.schemas import OrderDetailOut
from orderflow.orders.models import Order
from orderflow.quotes.actions.confirmations import (
    evidence_of,
    progress_quote,
    revoke_confirmation,
    send_confirmation,
)
from orderflow.quotes.models import Confirmation, Quote

router = Router(tags=["confirmations"])


class ConfirmationIn(Schema):
    quote_version: int = Field(
        ge=1, le=2_147_483_647, description="The version of the order's quote to confirm"
    )
    contact: RowId = Field(description="The contact to send it to: their email must be on a customer domain")


class ContactRefOut(Schema):
    id: int
    name: str
    email: str


class EvidenceOut(Schema):
    acceptance: int
    confirmation: int
    quote_version: int
    summary: dict[str, Any] = Field(description="The product summary exactly as shown, without prices")
    terms_version: int
    terms_sha256: str
    contact: int = Field(description="The contact the person chose as theirs")
    contact_name: str
    contact_email: str
    identity: str = Field(description="The signed-in user, or the approval link and its contact")
    accepted_at: dt.datetime
    ip_address: str | None
    user_agent: str


class ConfirmationOut(Schema):
    id: int
    quote_version: int
    contact: ContactRefOut
    status: str = Field(description="sent, accepted, revoked or expired")
    sent_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    progressed_at: dt.datetime | None = Field(description="When staff progressed the quote into the order")
    evidence: EvidenceOut | None

    @classmethod
    def of(cls, confirmation: Confirmation) -> ConfirmationOut:
        acceptance = getattr(confirmation, "acceptance", None)
        contact = confirmation.contact
        return cls(
            id=confirmation.pk,
            quote_version=confirmation.quote.version,
            contact=ContactRefOut(id=contact.pk, name=contact.name, email=contact.email),
            status=confirmation.status,
            sent_by=confirmation.sent_by_name,
            created_at=confirmation.created_at,
            revoked_at=confirmation.revoked_at,
            progressed_at=confirmation.progressed_at,
            evidence=EvidenceOut(**evidence_of(acceptance)) if acceptance is not None else None,
        )


def _confirmations(order: Order) -> list[Confirmation]:
    return list(
        Confirmation.objects.filter(order=order)
        .select_related("contact", "quote", "acceptance")
        .order_by("created_at", "id")
    )


def _one(context: ApiContext, number: int, confirmation_id: int) -> Confirmation:
    found = (
        Confirmation.objects.filter(pk=confirmation_id, order__number=number, seller=context.seller)
        .select_related("contact", "quote", "order")
        .first()
    )
    if found is None:
        raise not_found(pgettext("no such", "confirmation"))
    return found


@router.get(
    "/{number}/confirmations",
    response=reads({200: list[ConfirmationOut]}, 404, 422),
    operation_id="list_confirmations",
)
def list_confirmations(request: HttpRequest, number: OrderNumber) -> list[ConfirmationOut]:
    """The order's customer confirmations, oldest first, with the evidence of the accepted one."""
    order = _target(context_of(request), number)
    return [ConfirmationOut.of(c) for c in _confirmations(order)]


@router.post(
    "/{number}/confirmations",
    response=writes({201: ConfirmationOut}, 404),
    operation_id="send_confirmation",
)
def create_confirmation(
    request: HttpRequest, number: OrderNumber, payload: ConfirmationIn, if_match: IfMatch = None
) -> Status:
    """Send the quote's summary (no prices) and the seller's current terms to the contact, with an
    approval link. Refused with a code: `contact_outside_domains`, `contact_not_of_customer`,
    `contact_without_email`, `no_terms`, `superseded`, `quote_expired`, `quote_closed`, `quote_empty`."""
    context = context_of(request)
    order = _target(context, number)
    quote = Quote.objects.filter(order=order, version=payload.quote_version).first()
    if quote is None:
        raise not_found(pgettext("no such", "quote version"))
    # Any contact of the seller: the action says why one of another customer is refused.
    contact = Contact.objects.filter(pk=payload.contact, customer__seller=context.seller).first()
    if contact is None:
        raise not_found(pgettext("no such", "contact"))
    confirmation = send_confirmation(
        quote, contact=contact, actor=context.actor, expected_version=expected_version(if_match)
    )
    return Status(201, ConfirmationOut.of(_one(context, number, confirmation.pk)))


@router.post(
    "/{number}/confirmations/{confirmation_id}/revoke",
    response=writes({200: ConfirmationOut}, 404),
    operation_id="revoke_confirmation",
)
def post_revoke(
    request: HttpRequest, number: OrderNumber, confirmation_id: RowId, if_match: IfMatch = None
) -> ConfirmationOut:
    """Withdraw a confirmation not yet accepted: its approval link stops working."""
    context = context_of(request)
    revoke_confirmation(
        _one(context, number, confirmation_id),
        actor=context.actor,
        expected_version=expected_version(if_match),
    )
    return ConfirmationOut.of(_one(context, number, confirmation_id))


@router.post(
    "/{number}/progress-quote",
    response=writes({200: OrderDetailOut}, 404),
    operation_id="progress_quote",
)
def post_progress(
    request: HttpRequest, number: OrderNumber, response: HttpResponse, if_match: IfMatch = None
) -> Status:
    """Progress the accepted quote into the order: its lines and completion date become the order's.
    Refused before a confirmation was accepted (`not_accepted`)."""
    context = context_of(request)
    progress_quote(_target(context, number), actor=context.actor, expected_version=expected_version(if_match))
    return _answer(context, number, response)
