"""Customer confirmations of a proposed solution (source article 003).

Staff send a quote's summary, without prices, and the seller's current terms to one contact whose email
address is on one of the customer's domains. The contact opens the approval link, ticks that they agree
and that they may accept for the customer, picks their own contact record and accepts: the acceptance
keeps what was shown and who accepted it, how and when, and both sides get a PDF copy. Staff then
progress the quote into the order. The order moves through its workflow by the `auto` transitions the
workflow declares for these (`confirmation_sent`, `confirmation_accepted`, `quote_progressed`)."""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact, CustomerDomain, Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict, Forbidden, NotAllowed
from orderflow.notifications import links
from orderflow.notifications.emit import notify
from orderflow.notifications.outbox import tell_about_order
from orderflow.orders.actions.common import (
    _check_not_final,
    _check_staff,
    _locked,
    _record,
    _save,
    _state_fields,
)
from orderflow.orders.models import EventType, Order, OrderEvent, OrderLine
from orderflow.quotes.actions.terms import current_terms
from orderflow.quotes.models import (
    Acceptance,
    Confirmation,
    ConfirmationStatus,
    Quote,
    QuoteStatus,
    Terms,
)
from orderflow.quotes.summary import summary_of

SHOWN_SALT = "orderflow.quotes.approval-shown"
MAX_USER_AGENT = 500
# A quote a confirmation may be sent for: a draft (sending the confirmation freezes it) or a sent quote.
SENDABLE = frozenset({QuoteStatus.DRAFT, QuoteStatus.SENT})


# ----------------------------------------------------------------------------------------------
# Who a confirmation may be sent to


def normalise_domain(domain: str) -> str:
    """`Acme.Example.` -> `acme.example`: case and a trailing dot do not make another domain."""
    return domain.strip().lower().rstrip(".")


def email_domain(email: str) -> str:
    _local, at, domain = (email or "").strip().rpartition("@")
    return normalise_domain(domain) if at else ""


def customer_domains(customer_id: int) -> set[str]:
    return {
        normalise_domain(d)
        for d in CustomerDomain.objects.filter(customer_id=customer_id).values_list("domain", flat=True)
    }


def refusal_for(contact: Contact, order: Order, domains: set[str] | None = None) -> ActionError | None:
    """Why this contact cannot be sent a confirmation of this order, or None. The domain of their
    address must be exactly one of the customer's (`acme.example.evil` is not `acme.example`)."""
    if contact.customer_id != order.customer_id:
        return ActionError(
            "contact_not_of_customer",
            _("%(name)s is not a contact of %(customer)s.")
            % {"name": contact.name, "customer": order.customer.name},
            details={"field": "contact"},
        )
    if not contact.is_active:
        return ActionError(
            "contact_inactive",
            _("%(name)s's access was closed: reactivate the contact first.") % {"name": contact.name},
            details={"field": "contact"},
        )
    if not contact.email:
        return ActionError(
            "contact_without_email",
            _("%(name)s has no email address to send the confirmation to.") % {"name": contact.name},
            details={"field": "contact"},
        )
    domains = customer_domains(order.customer_id) if domains is None else domains
    if not domains:
        return ActionError(
            "customer_without_domain",
            _("%(customer)s has no email domain: add the customer's domain first.")
            % {"customer": order.customer.name},
            details={"field": "contact"},
        )
    if email_domain(contact.email) not in domains:
        return ActionError(
            "contact_outside_domains",
            _("%(email)s is not on %(customer)s's domains (%(domains)s).")
            % {
                "email": contact.email,
                "customer": order.customer.name,
                "domains": ", ".join(sorted(domains)),
            },
            details={"field": "contact"},
        )
    return None


@dataclass(frozen=True)
class Candidate:
    contact: Contact
    refusal: ActionError | None

    @property
    def eligible(self) -> bool:
        return self.refusal is None


def candidates(order: Order) -> list[Candidate]:
    """The customer's contacts, each with why it may not be chosen (None: it may)."""
    domains = customer_domains(order.customer_id)
    return [
        Candidate(contact, refusal_for(contact, order, domains))
        for contact in Contact.objects.filter(customer_id=order.customer_id).order_by("name", "pk")
    ]


# ----------------------------------------------------------------------------------------------
# Sending and revoking


def _today(order: Order) -> dt.date:
    try:
        zone = zoneinfo.ZoneInfo(order.seller.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def _latest_version(order: Order) -> int:
    latest = Quote.objects.filter(order_id=order.pk).order_by("-version").values_list("version", flat=True)
    return latest.first() or 0


def _check_quote_open(quote: Quote, order: Order) -> None:
    if quote.status == QuoteStatus.SUPERSEDED or quote.version != _latest_version(order):
        raise NotAllowed(
            "superseded",
            _("Version %(version)s of the quote was replaced by a revision.") % {"version": quote.version},
        )
    if quote.status == QuoteStatus.EXPIRED or quote.expires_on < _today(order):
        raise NotAllowed("quote_expired", _("This quote has expired."))
    if quote.status not in SENDABLE:
        raise NotAllowed(
            "quote_closed", _("This quote is %(status)s.") % {"status": quote.get_status_display()}
        )


def _auto_move(order: Order, trigger: str, now: dt.datetime, *, data: dict[str, Any]) -> OrderEvent | None:
    """Take the transition the workflow declares for `trigger` from the order's state, if any."""
    auto = order.workflow.auto_transition(order.state, trigger)
    if auto is None:
        return None
    source = order.state
    _save(order, _state_fields(order, auto.target, now))
    return _record(
        order,
        EventType.TRANSITIONED,
        Actor.system(),
        from_state=source,
        to_state=auto.target,
        at=now,
        data={"trigger": trigger, "notify": list(auto.notify), **data},
    )


def send_confirmation(
    quote: Quote, *, contact: Contact, actor: Actor, expected_version: int | None = None
) -> Confirmation:
    """Send the quote's summary and the seller's current terms to `contact` for their acceptance.

    Refused: a contact outside the customer's domains (see `refusal_for`), no terms published
    (`no_terms`), a quote replaced by a revision (`superseded`), expired (`quote_expired`), closed
    (`quote_closed`) or without lines (`quote_empty`), a closed order (`final_state`)."""
    with transaction.atomic():
        order = _locked(quote.order, expected_version)
        _check_staff(order, actor)
        if actor.kind != "staff":
            raise Forbidden("forbidden", _("Only the seller's staff can do this."))
        _check_not_final(order)
        quote = Quote.objects.select_for_update().get(pk=quote.pk, order=order)
        _check_quote_open(quote, order)
        if not quote.lines.exists():
            raise ActionError("quote_empty", _("This quote has no lines to confirm."))
        contact = Contact.objects.select_related("customer").get(pk=contact.pk)
        refusal = refusal_for(contact, order)
        if refusal is not None:
            raise refusal
        terms = current_terms(order.seller_id)
        if terms is None:
            raise ActionError(
                "no_terms", _("Publish your terms and conditions first: the customer accepts them.")
            )
        now = timezone.now()
        if quote.status == QuoteStatus.DRAFT:
            # What the customer confirms must not change under them: the quote is frozen from now on.
            quote.status, quote.sent_at, quote.sent_by_name = QuoteStatus.SENT, now, actor.name[:200]
            quote.save(update_fields=["status", "sent_at", "sent_by_name"])
        confirmation = Confirmation.objects.create(
            seller_id=order.seller_id,
            order=order,
            quote=quote,
            contact=contact,
            link_nonce=secrets.token_hex(16),
            sent_by=actor.membership,
            sent_by_name=actor.name[:200],
            created_at=now,
        )
        _save(order, {})
        event = _record(
            order,
            EventType.CONFIRMATION_SENT,
            actor,
            at=now,
            data={
                "confirmation": confirmation.pk,
                "quote_version": quote.version,
                "contact": contact.pk,
                "contact_name": contact.name,
                "terms_version": terms.version,
            },
        )
        moved = _auto_move(order, "confirmation_sent", now, data={"confirmation": confirmation.pk})
        tell_about_order(
            order,
            event=event,
            template="confirmation_request",
            people=[contact],
            payload={"confirmation": confirmation.pk, "link": True},
            reason=_("%(name)s was sent a customer confirmation of the quote.") % {"name": contact.name},
        )
        notify(*[e for e in (event, moved) if e is not None], order=order)
    return confirmation


def revoke_confirmation(
    confirmation: Confirmation, *, actor: Actor, expected_version: int | None = None
) -> Confirmation:
    """Withdraw a confirmation not accepted yet: its link stops working at once."""
    with transaction.atomic():
        order = _locked(confirmation.order, expected_version)
        _check_staff(order, actor)
        if actor.kind != "staff":
            raise Forbidden("forbidden", _("Only the seller's staff can do this."))
        confirmation = Confirmation.objects.select_for_update().get(pk=confirmation.pk, order=order)
        if confirmation.status == ConfirmationStatus.ACCEPTED:
            raise NotAllowed(
                "already_accepted", _("This confirmation was already accepted; it stays as evidence.")
            )
        if confirmation.status != ConfirmationStatus.SENT:
            raise NotAllowed("not_open", _("This confirmation is no longer open."))
        now = timezone.now()
        confirmation.status = ConfirmationStatus.REVOKED
        confirmation.revoked_at, confirmation.revoked_by_name = now, actor.name[:200]
        confirmation.link_nonce = secrets.token_hex(16)  # the link sent is void, whatever it carries
        confirmation.save(update_fields=["status", "revoked_at", "revoked_by_name", "link_nonce"])
        _save(order, {})
        event = _record(
            order,
            EventType.CONFIRMATION_REVOKED,
            actor,
            at=now,
            data={"confirmation": confirmation.pk, "contact_name": confirmation.contact.name},
        )
        notify(event, order=order)
    return confirmation


# ----------------------------------------------------------------------------------------------
# The approval page


def open_by_link(token: str) -> Confirmation:
    """The confirmation an approval link names, if the link is genuine: raises ActionError `invalid`
    (damaged, tampered, or voided by a revocation). Whether it may still be accepted: `check_open`."""
    try:
        confirmation_id = links.approval_id(token)
    except links.BadLink as error:
        raise ActionError("invalid", error.message) from None
    found = (
        Confirmation.objects.select_related("order__seller", "order__customer", "quote", "contact")
        .filter(pk=confirmation_id)
        .first()
    )
    if found is None or not links.approval_matches(token, found.pk, found.link_nonce):
        if found is not None and found.status == ConfirmationStatus.REVOKED:
            raise NotAllowed("revoked", _("The seller withdrew this confirmation. Ask them for a new one."))
        raise ActionError("invalid", _("This link is not valid. Check that it was copied whole."))
    return found


def for_portal(contact: Contact, number: int, confirmation_id: int) -> Confirmation | None:
    """A confirmation of an order of the signed-in contact's customer, or None."""
    return (
        Confirmation.objects.select_related("order__seller", "order__customer", "quote", "contact")
        .filter(
            pk=confirmation_id,
            order__number=number,
            order__customer_id=contact.customer_id,
            seller_id=contact.customer.seller_id,
        )
        .first()
    )


def check_open(confirmation: Confirmation) -> None:
    """Refuse a confirmation that can no longer be accepted: `already_accepted`, `revoked`, `expired`,
    `superseded` (a revision of the quote replaced the version it shows)."""
    order = confirmation.order
    if confirmation.status == ConfirmationStatus.ACCEPTED:
        raise Conflict("already_accepted", _("These terms were already accepted. Nothing more is needed."))
    if confirmation.status == ConfirmationStatus.REVOKED:
        raise NotAllowed("revoked", _("The seller withdrew this confirmation. Ask them for a new one."))
    quote = confirmation.quote
    if confirmation.status == ConfirmationStatus.EXPIRED or quote.expires_on < _today(order):
        raise NotAllowed(
            "expired", _("This confirmation expired with its quote. Ask the seller for a new one.")
        )
    if quote.status == QuoteStatus.SUPERSEDED or quote.version != _latest_version(order):
        raise NotAllowed(
            "superseded",
            _("The seller revised this proposal since: this version can no longer be accepted."),
        )
    if quote.status not in (QuoteStatus.SENT, QuoteStatus.DRAFT) or order.is_final:
        raise NotAllowed("quote_closed", _("This proposal is closed and can no longer be accepted."))


@dataclass(frozen=True)
class Shown:
    """What the approval page shows: the summary (JSON), the terms, the contacts to pick from, and the
    signed form of the first two that the page posts back so the acceptance keeps exactly that."""

    confirmation: Confirmation
    summary: dict[str, Any]
    terms: Terms
    contacts: list[Contact]
    token: str


def shown(confirmation: Confirmation) -> Shown:
    """The approval page's content, now. Raises like `check_open`, and `no_terms`."""
    check_open(confirmation)
    terms = current_terms(confirmation.seller_id)
    if terms is None:
        raise NotAllowed("no_terms", _("The seller has no terms to accept yet. Ask them to publish them."))
    summary = summary_of(confirmation.quote)
    token = signing.dumps({"c": confirmation.pk, "t": terms.pk, "s": summary}, salt=SHOWN_SALT, compress=True)
    return Shown(confirmation, summary, terms, _contacts(confirmation), token)


def shown_again(confirmation: Confirmation, token: str) -> Shown | None:
    """The page as it was shown (from the token it posted back), to show it again with the errors."""
    data = _read_shown(confirmation, token)
    if data is None:
        return None
    terms = Terms.objects.filter(pk=data["t"], seller_id=confirmation.seller_id).first()
    if terms is None:
        return None
    return Shown(confirmation, data["s"], terms, _contacts(confirmation), token)


def _contacts(confirmation: Confirmation) -> list[Contact]:
    return list(
        Contact.objects.filter(customer_id=confirmation.order.customer_id, is_active=True).order_by(
            "name", "pk"
        )
    )


def _read_shown(confirmation: Confirmation, token: str) -> dict[str, Any] | None:
    try:
        data = signing.loads(token or "", salt=SHOWN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != confirmation.pk or not isinstance(data.get("s"), dict):
        return None
    return data


def _is_yes(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("on", "true", "1", "yes"))


def accept_confirmation(
    confirmation: Confirmation,
    *,
    shown_token: str,
    contact_id: object,
    agree: object,
    authorised: object,
    user: User | None,
    ip_address: str | None,
    user_agent: str,
) -> Acceptance:
    """Accept the confirmation as shown (`shown_token`, from `shown`): both ticks and the contact
    chosen among the customer's active contacts. `user`: the signed-in portal user, or None (the link).

    Refused, with nothing saved: `terms_not_agreed`, `authority_not_confirmed`, `contact_required`,
    `contact_not_of_customer`, `invalid` (the page posted back something else than it showed),
    `terms_changed` (newer terms were published meanwhile: the page is shown again), and `check_open`'s
    refusals. Two people accepting at once: one acceptance, the other `already_accepted`."""
    data = _read_shown(confirmation, shown_token)
    if data is None:
        raise ActionError("invalid", _("The page was changed before it was sent. Open the link again."))
    if not _is_yes(agree):
        raise ActionError(
            "terms_not_agreed",
            _("Tick that you have read, understood and agree to the terms."),
            details={"field": "agree"},
        )
    if not _is_yes(authorised):
        raise ActionError(
            "authority_not_confirmed",
            _("Tick that you are authorised to accept the terms on behalf of %(customer)s.")
            % {"customer": confirmation.order.customer.name},
            details={"field": "authorised"},
        )
    if contact_id in (None, ""):
        raise ActionError("contact_required", _("Select your contact record."), details={"field": "contact"})
    try:
        chosen_pk = int(str(contact_id))
    except ValueError:
        chosen_pk = -1
    with transaction.atomic():
        # The order's row lock first (as every order action): two acceptances of the same order, even
        # through two confirmations, are one after the other.
        order = _locked(confirmation.order, None)
        confirmation = (
            Confirmation.objects.select_for_update(of=("self",))
            .select_related("quote", "contact", "order__customer", "order__seller")
            .get(pk=confirmation.pk)
        )
        confirmation.order = order
        check_open(confirmation)
        chosen = (
            Contact.objects.select_related("customer")
            .filter(pk=chosen_pk, customer_id=order.customer_id, is_active=True)
            .first()
        )
        if chosen is None:
            raise ActionError(
                "contact_not_of_customer",
                _("Select your own contact record from %(customer)s's contacts.")
                % {"customer": order.customer.name},
                details={"field": "contact"},
            )
        terms = current_terms(order.seller_id)
        if terms is None or terms.pk != data["t"]:
            raise Conflict(
                "terms_changed",
                _("The seller published new terms while you were reading. Read them and accept again."),
            )
        quote = confirmation.quote
        if data["s"] != summary_of(quote):  # a frozen quote cannot change; a stale page can
            raise Conflict(
                "summary_changed", _("This proposal changed while you were reading. Open it again.")
            )
        now = timezone.now()
        identity = (
            _("signed in as %(user)s") % {"user": user.get_username()}
            if user is not None
            else _("approval link sent to %(email)s") % {"email": confirmation.contact.email}
        )
        try:
            with transaction.atomic():
                acceptance = Acceptance.objects.create(
                    seller_id=order.seller_id,
                    order=order,
                    confirmation=confirmation,
                    quote=quote,
                    quote_version=quote.version,
                    summary=data["s"],
                    terms=terms,
                    terms_version=terms.version,
                    terms_sha256=terms.sha256,
                    contact=chosen,
                    contact_name=chosen.name,
                    contact_email=chosen.email,
                    identity=identity[:300],
                    user=user,
                    accepted_at=now,
                    ip_address=ip_address or None,
                    user_agent=(user_agent or "")[:MAX_USER_AGENT],
                )
        except IntegrityError:
            raise Conflict(
                "already_accepted", _("These terms were already accepted. Nothing more is needed.")
            ) from None
        Confirmation.objects.filter(pk=confirmation.pk).update(status=ConfirmationStatus.ACCEPTED)
        # One acceptance per proposal: the other confirmations of the order still open are closed.
        Confirmation.objects.filter(order=order, status=ConfirmationStatus.SENT).exclude(
            pk=confirmation.pk
        ).update(status=ConfirmationStatus.REVOKED, revoked_at=now, revoked_by_name=chosen.name[:200])
        quote.status, quote.decided_at = QuoteStatus.ACCEPTED, now
        quote.decided_by_name, quote.decided_by_contact = chosen.name[:200], chosen
        quote.save(update_fields=["status", "decided_at", "decided_by_name", "decided_by_contact"])
        _save(order, {})
        event = _record(
            order,
            EventType.CONFIRMATION_ACCEPTED,
            Actor.customer(chosen),
            at=now,
            data=evidence_of(acceptance),
        )
        moved = _auto_move(order, "confirmation_accepted", now, data={"confirmation": confirmation.pk})
        tell_about_order(
            order,
            event=event,
            template="confirmation_accepted",
            people=[chosen, confirmation.contact, *_following(order, confirmation)],
            payload={"confirmation": confirmation.pk, "acceptance": acceptance.pk},
            reason=_(
                "A copy of the accepted confirmation goes to the contact and the staff following the order."
            ),
        )
        notify(*[e for e in (event, moved) if e is not None], order=order)
    return acceptance


def _following(order: Order, confirmation: Confirmation) -> list[Membership]:
    """The seller's staff who follow the order: its assignee and whoever sent the confirmation."""
    ids = {i for i in (order.assignee_id, confirmation.sent_by_id) if i is not None}
    return list(
        Membership.objects.select_related("user", "seller").filter(pk__in=ids, is_active=True).order_by("pk")
    )


def evidence_of(acceptance: Acceptance) -> dict[str, Any]:
    """The acceptance as the API, the webhook and the activity log give it (JSON-safe)."""
    return {
        "acceptance": acceptance.pk,
        "confirmation": acceptance.confirmation_id,
        "quote_version": acceptance.quote_version,
        "summary": acceptance.summary,
        "terms_version": acceptance.terms_version,
        "terms_sha256": acceptance.terms_sha256,
        "contact": acceptance.contact_id,
        "contact_name": acceptance.contact_name,
        "contact_email": acceptance.contact_email,
        "identity": acceptance.identity,
        "accepted_at": acceptance.accepted_at.isoformat(),
        "ip_address": acceptance.ip_address,
        "user_agent": acceptance.user_agent,
    }


# ----------------------------------------------------------------------------------------------
# Progress quote


def progress_quote(order: Order, *, actor: Actor, expected_version: int | None = None) -> Order:
    """Staff's "Progress quote": the accepted quote's lines become the order's (replacing the lines it
    had), its completion date the order's estimate, and the order moves on as its workflow says.
    Refused before a confirmation was accepted (`not_accepted`) and after it was done
    (`already_progressed`)."""
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        if actor.kind != "staff":
            raise Forbidden("forbidden", _("Only the seller's staff can do this."))
        _check_not_final(order)
        accepted = (
            Confirmation.objects.select_for_update()
            .select_related("quote")
            .filter(order=order, status=ConfirmationStatus.ACCEPTED)
            .order_by("-created_at", "-pk")
            .first()
        )
        if accepted is None:
            raise NotAllowed(
                "not_accepted", _("The customer has not accepted a confirmation of the quote yet.")
            )
        if accepted.progressed_at is not None:
            raise NotAllowed("already_progressed", _("This quote was already progressed into the order."))
        now = timezone.now()
        quote = accepted.quote
        order.lines.all().delete()
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    position=line.position,
                    item_id=line.item_id,
                    sku=line.sku,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    tax_rate=line.tax_rate,
                )
                for line in quote.lines.order_by("position")
            ]
        )
        fields: dict[str, Any] = {"currency": quote.currency}
        if quote.completion_on is not None:
            fields["estimated_completion"] = quote.completion_on
        _save(order, fields)
        accepted.progressed_at = now
        accepted.save(update_fields=["progressed_at"])
        event = _record(
            order,
            EventType.QUOTE_PROGRESSED,
            actor,
            at=now,
            data={
                "confirmation": accepted.pk,
                "quote_version": quote.version,
                "lines": quote.lines.count(),
                "completion_on": quote.completion_on.isoformat() if quote.completion_on else None,
            },
        )
        moved = _auto_move(order, "quote_progressed", now, data={"confirmation": accepted.pk})
        notify(*[e for e in (event, moved) if e is not None], order=order)
    return order
