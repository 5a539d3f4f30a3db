"""Quotes answering a request (source article 001): staff draft one, send it (which freezes it), revise
it into a new version; the customer accepts or declines it; an unanswered quote expires by itself.

Each action runs in one transaction and takes the order's row lock first (`orders.actions.common`), then
re-reads the quote: two people accepting at once are served one after the other, and the second finds
the quote accepted. Where a quote moves the order is the workflow's `[quotes]` setting (send, accept,
decline = state), taken only where the workflow declares a transition from the order's state to it: a
workflow without the setting keeps the order where it is. The events are logged on the order, and the
quote event is the one people are told of (a move it made is logged, but the quote's message says it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.catalog.models import Item, ItemKind
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, NotAllowed
from orderflow.notifications.emit import notify
from orderflow.orders.actions.common import (
    MAX_INTERNAL_NOTES,
    MAX_LINE_TEXT,
    MAX_LINES,
    MAX_NOTE,
    MAX_SKU,
    _check_not_final,
    _check_party,
    _check_staff,
    _decimal,
    _locked,
    _record,
    _save,
    _state_fields,
    _text,
)
from orderflow.orders.actions.placing import clean_price, clean_quantity
from orderflow.orders.models import EventType, Order, OrderEvent, OrderLine, totals_of
from orderflow.quotes.models import Quote, QuoteLine, QuoteStatus

DEFAULT_VALIDITY_DAYS = 30
MAX_VALIDITY_DAYS = 366
CURRENCY_LENGTH = 3
_UNCHANGED: Any = object()


@dataclass(frozen=True)
class QuoteLineInput:
    """A line of a quote: described (`description`) or from the catalogue (`item_id`: its name, SKU and
    tax rate unless given). A draft may leave the price out; a quote is sent with every price."""

    description: str = ""
    quantity: Decimal | int | str = 1
    unit_price: Decimal | int | str | None = None
    tax_rate: Decimal | int | str | None = None
    item_id: int | None = None


def seller_today(order: Order) -> dt.date:
    """Today where the seller is: a quote is good until the end of its last day there."""
    return timezone.localtime(timezone.now(), ZoneInfo(order.seller.time_zone)).date()


def is_past_expiry(quote: Quote, order: Order) -> bool:
    return quote.expires_on < seller_today(order)


# ----------------------------------------------------------------------------------------------
# Drafting


def create_quote(
    order: Order,
    *,
    actor: Actor,
    lines: Sequence[QuoteLineInput] | None = None,
    currency: str | None = None,
    expires_on: dt.date | None = None,
    completion_on: dt.date | None = None,
    notes: str = "",
    expected_version: int | None = None,
) -> Quote:
    """Start the order's quote (version 1) or a new one after a declined or expired version. Without
    `lines`, the draft starts from the order's lines (the request, to be priced). Staff only."""
    notes = _text(notes, _("notes to the customer"), MAX_INTERNAL_NOTES, field="notes")
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        _check_not_final(order)
        latest = order.quotes.order_by("-version").first()
        if latest is not None:
            _check_no_open_quote(latest)
        today = seller_today(order)
        clean = (
            _clean_lines(order, lines)
            if lines is not None
            else [_from_order_line(line) for line in order.lines.all()]
        )
        quote = Quote.objects.create(
            seller_id=order.seller_id,
            order=order,
            version=(latest.version + 1) if latest else 1,
            currency=_currency(currency or order.currency),
            expires_on=_expiry(expires_on or today + dt.timedelta(days=DEFAULT_VALIDITY_DAYS), today),
            completion_on=_completion(completion_on, today),
            notes=notes,
            created_by=actor.membership,
            created_by_name=actor.name[:200],
            created_at=timezone.now(),
        )
        _write_lines(quote, clean)
        _save(order, {})
        event = _record(order, EventType.QUOTE_DRAFTED, actor, data={"version": quote.version})
        notify(event, order=order)
    return quote


def update_quote(
    quote: Quote,
    *,
    actor: Actor,
    lines: Sequence[QuoteLineInput] | None = None,
    currency: str | None = None,
    expires_on: dt.date | None = _UNCHANGED,
    completion_on: dt.date | None = _UNCHANGED,
    notes: str | None = None,
    expected_version: int | None = None,
) -> Quote:
    """Change a draft: what is given replaces what it had (`lines`: all of them). A sent quote is never
    edited: refused with `quote_sent` (revise it instead)."""
    if notes is not None:
        notes = _text(notes, _("notes to the customer"), MAX_INTERNAL_NOTES, field="notes")
    with transaction.atomic():
        order, quote = _locked_quote(quote, expected_version)
        _check_staff(order, actor)
        _check_not_final(order)
        if not quote.is_draft:
            if quote.status == QuoteStatus.SENT:
                raise NotAllowed(
                    "quote_sent",
                    _("Quote version %(version)s was sent, so it can no longer be changed: revise it.")
                    % {"version": quote.version},
                )
            raise _closed(quote)
        today = seller_today(order)
        changed: list[str] = []
        if lines is not None:
            _write_lines(quote, _clean_lines(order, lines), replace=True)
            changed.append("lines")
        if currency is not None:
            quote.currency = _currency(currency)
            changed.append("currency")
        if expires_on is not _UNCHANGED:
            if expires_on is None:
                raise ActionError(
                    "expiry_required",
                    _("Give the quote an expiry date."),
                    details={"field": "expires_on"},
                )
            quote.expires_on = _expiry(expires_on, today)
            changed.append("expires_on")
        if completion_on is not _UNCHANGED:
            quote.completion_on = _completion(completion_on, today)
            changed.append("completion_on")
        if notes is not None:
            quote.notes = notes
            changed.append("notes")
        if not changed:
            return quote
        quote.save()
        _save(order, {})
        event = _record(
            order, EventType.QUOTE_EDITED, actor, data={"version": quote.version, "changed": changed}
        )
        notify(event, order=order)
    return quote


def revise_quote(quote: Quote, *, actor: Actor, expected_version: int | None = None) -> Quote:
    """A new draft version copying this one (its lines, dates and notes). A sent version is superseded
    at once (it can no longer be accepted); a declined or expired one stays as it was."""
    with transaction.atomic():
        order, quote = _locked_quote(quote, expected_version)
        _check_staff(order, actor)
        _check_not_final(order)
        latest = order.quotes.order_by("-version").first()
        assert latest is not None
        if latest.pk != quote.pk:
            raise NotAllowed(
                "quote_superseded",
                _("Quote version %(version)s was replaced by version %(latest)s: revise the latest.")
                % {"version": quote.version, "latest": latest.version},
            )
        if quote.is_draft:
            raise NotAllowed(
                "quote_draft",
                _("Quote version %(version)s is still a draft: change it instead.")
                % {"version": quote.version},
            )
        if quote.status == QuoteStatus.ACCEPTED:
            raise _closed(quote)
        now = timezone.now()
        if quote.status == QuoteStatus.SENT:
            quote.status = QuoteStatus.SUPERSEDED
            quote.save(update_fields=["status"])
        today = seller_today(order)
        revision = Quote.objects.create(
            seller_id=order.seller_id,
            order=order,
            version=quote.version + 1,
            currency=quote.currency,
            expires_on=max(quote.expires_on, today),
            completion_on=quote.completion_on,
            notes=quote.notes,
            created_by=actor.membership,
            created_by_name=actor.name[:200],
            created_at=now,
        )
        QuoteLine.objects.bulk_create(
            QuoteLine(quote=revision, **_line_values(line)) for line in quote.lines.all()
        )
        _save(order, {})
        event = _record(
            order,
            EventType.QUOTE_DRAFTED,
            actor,
            data={"version": revision.version, "revises": quote.version},
        )
        notify(event, order=order)
    return revision


# ----------------------------------------------------------------------------------------------
# Sending and answering


def send_quote(quote: Quote, *, actor: Actor, expected_version: int | None = None) -> Quote:
    """Send a draft to the customer: it is frozen from now on. Every line needs a price, and the expiry
    date must not be past. The order moves to the workflow's `send` state where it says so."""
    with transaction.atomic():
        order, quote = _locked_quote(quote, expected_version)
        _check_staff(order, actor)
        _check_not_final(order)
        if not quote.is_draft:
            if quote.status == QuoteStatus.SENT:
                raise NotAllowed(
                    "quote_sent",
                    _("Quote version %(version)s was already sent.") % {"version": quote.version},
                )
            raise _closed(quote)
        quote_lines = list(quote.lines.all())
        if not quote_lines:
            raise ActionError(
                "quote_empty",
                _("Add at least one line before sending the quote."),
                details={"field": "lines"},
            )
        unpriced = [line.position for line in quote_lines if line.unit_price is None]
        if unpriced:
            raise ActionError(
                "quote_unpriced",
                _("Line %(number)s has no price: price every line before sending the quote.")
                % {"number": unpriced[0]},
                details={"field": f"lines.{unpriced[0] - 1}.unit_price", "line": unpriced[0]},
            )
        if is_past_expiry(quote, order):
            raise ActionError(
                "invalid_expiry",
                _("The expiry date is past: choose today or a later day."),
                details={"field": "expires_on"},
            )
        now = timezone.now()
        quote.status = QuoteStatus.SENT
        quote.sent_at, quote.sent_by_name = now, actor.name[:200]
        quote.save(update_fields=["status", "sent_at", "sent_by_name"])
        _save(order, {})
        _move(order, "send", actor, now)
        event = _record(
            order, EventType.QUOTE_SENT, actor, at=now, note=quote.notes, data=_summary(quote, quote_lines)
        )
        notify(event, order=order)
    return quote


def accept_quote(quote: Quote, *, actor: Actor, expected_version: int | None = None) -> Quote:
    """The customer (or staff on their behalf) accepts a sent quote: its lines and prices replace the
    order's, its completion date becomes the order's estimate, and the order moves to the workflow's
    `accept` state. Refused for a draft, a superseded, declined, expired or already accepted version."""
    with transaction.atomic():
        order, quote = _locked_quote(quote, expected_version)
        _check_party(order, actor)
        _check_answerable(order, quote)
        now = timezone.now()
        quote.status = QuoteStatus.ACCEPTED
        quote.decided_at, quote.decided_by_name = now, actor.name[:200]
        quote.decided_by_contact = actor.contact
        quote.save(update_fields=["status", "decided_at", "decided_by_name", "decided_by_contact"])
        quote_lines = list(quote.lines.all())
        order.lines.all().delete()
        OrderLine.objects.bulk_create(OrderLine(order=order, **_line_values(line)) for line in quote_lines)
        fields: dict[str, Any] = {"currency": quote.currency}
        if quote.completion_on is not None:
            fields["estimated_completion"] = quote.completion_on
        _save(order, fields)
        _move(order, "accept", actor, now)
        data = _summary(quote, quote_lines)
        if actor.kind == "staff":
            data["on_behalf_of_customer"] = True
        event = _record(order, EventType.QUOTE_ACCEPTED, actor, at=now, data=data)
        notify(event, order=order)
    return quote


def decline_quote(quote: Quote, *, actor: Actor, reason: str, expected_version: int | None = None) -> Quote:
    """The customer (or staff on their behalf) declines a sent quote, saying why. The order moves to
    the workflow's `decline` state: back, for staff to revise, or cancelled."""
    reason = _text(reason, _("reason"), MAX_NOTE, field="reason")
    if not reason:
        raise ActionError("reason_required", _("Say why the quote is declined."), details={"field": "reason"})
    with transaction.atomic():
        order, quote = _locked_quote(quote, expected_version)
        _check_party(order, actor)
        _check_answerable(order, quote)
        now = timezone.now()
        quote.status = QuoteStatus.DECLINED
        quote.decided_at, quote.decided_by_name = now, actor.name[:200]
        quote.decided_by_contact = actor.contact
        quote.decline_reason = reason
        quote.save(
            update_fields=["status", "decided_at", "decided_by_name", "decided_by_contact", "decline_reason"]
        )
        _save(order, {})
        _move(order, "decline", actor, now, reason=reason)
        data = _summary(quote, list(quote.lines.all()))
        event = _record(order, EventType.QUOTE_DECLINED, actor, at=now, note=reason, data=data)
        notify(event, order=order)
    return quote


def expire_quotes(*, now: dt.datetime | None = None) -> int:
    """Expire every sent quote past the end of its last day in its seller's time zone, each in its own
    transaction; both sides are told (`quote_expired`). Returns how many expired."""
    now = now or timezone.now()
    # The widest "today" on Earth is at most one day ahead of UTC: later expiry dates are not due anywhere.
    candidates = (
        Quote.objects.filter(status=QuoteStatus.SENT, expires_on__lt=now.date() + dt.timedelta(days=1))
        .select_related("seller")
        .order_by("pk")
    )
    expired = 0
    for candidate in candidates.iterator():
        local_today = timezone.localtime(now, ZoneInfo(candidate.seller.time_zone)).date()
        if candidate.expires_on < local_today and _expire(candidate, now):
            expired += 1
    return expired


def _expire(quote: Quote, now: dt.datetime) -> bool:
    with transaction.atomic():
        order, quote = _locked_quote(quote)
        if quote.status != QuoteStatus.SENT:
            return False  # answered meanwhile
        quote.status = QuoteStatus.EXPIRED
        quote.decided_at, quote.decided_by_name = now, "System"
        quote.save(update_fields=["status", "decided_at", "decided_by_name"])
        _save(order, {})
        actor = Actor.system()
        event = _record(order, EventType.QUOTE_EXPIRED, actor, at=now, data=_summary(quote, None))
        notify(event, order=order)
    return True


# ----------------------------------------------------------------------------------------------
# Rules


def _locked_quote(quote: Quote, expected_version: int | None = None) -> tuple[Order, Quote]:
    """The order under its row lock (refused as stale if it is no longer at `expected_version`), then
    the quote as it is now. Caller holds the transaction."""
    order = _locked(quote.order, expected_version)
    fresh = Quote.objects.select_for_update().get(pk=quote.pk)
    return order, fresh


def _check_no_open_quote(latest: Quote) -> None:
    if latest.status == QuoteStatus.DRAFT:
        raise NotAllowed(
            "quote_draft_exists",
            _("Version %(version)s of the quote is a draft: change it rather than start another.")
            % {"version": latest.version},
        )
    if latest.status == QuoteStatus.SENT:
        raise NotAllowed(
            "quote_sent",
            _("Version %(version)s of the quote was sent: revise it to make a new version.")
            % {"version": latest.version},
        )
    if latest.status == QuoteStatus.ACCEPTED:
        raise _closed(latest)


def _closed(quote: Quote) -> NotAllowed:
    """The refusal for acting on a quote that is over, with the code of how it ended."""
    messages = {
        QuoteStatus.ACCEPTED: _("Quote version %(version)s was accepted: it can no longer change."),
        QuoteStatus.DECLINED: _("Quote version %(version)s was declined."),
        QuoteStatus.EXPIRED: _("Quote version %(version)s has expired."),
        QuoteStatus.SUPERSEDED: _("Quote version %(version)s was replaced by a revision."),
        QuoteStatus.DRAFT: _("Quote version %(version)s has not been sent yet."),
        QuoteStatus.SENT: _("Quote version %(version)s was sent."),
    }
    codes = {QuoteStatus.DRAFT: "quote_not_sent"}
    code = codes.get(QuoteStatus(quote.status), f"quote_{quote.status}")
    message = messages[QuoteStatus(quote.status)]
    return NotAllowed(code, message % {"version": quote.version})


def check_answerable(order: Order, quote: Quote) -> None:
    """Raise the refusal accepting or declining this version would meet now (for pages that offer it)."""
    _check_answerable(order, quote)


def _check_answerable(order: Order, quote: Quote) -> None:
    _check_not_final(order)
    if quote.status != QuoteStatus.SENT:
        raise _closed(quote)
    if is_past_expiry(quote, order):
        # The expiry job has not run yet: the quote is over all the same.
        raise NotAllowed(
            "quote_expired",
            _("Quote version %(version)s has expired.") % {"version": quote.version},
        )


def _move(order: Order, move: str, actor: Actor, now: dt.datetime, *, reason: str = "") -> list[OrderEvent]:
    """Take the workflow's `[quotes]` move, where it declares one from the order's state (the quote
    action is the authority: the move is made by the system). A decline into the cancel state cancels."""
    workflow = order.workflow
    target = workflow.quotes.get(move)
    if target is None or target == order.state:
        return []
    source = order.state
    cancelling = move == "decline" and workflow.cancel is not None and target == workflow.cancel.target
    if not cancelling and workflow.transition(source, target, order.options) is None:
        return []
    fields = _state_fields(order, target, now)
    if cancelling:
        fields["cancel_reason"] = reason
    _save(order, fields)
    mover = Actor.system(actor.name)
    event = _record(
        order,
        EventType.CANCELLED if cancelling else EventType.TRANSITIONED,
        mover,
        from_state=source,
        to_state=target,
        note=reason,
        at=now,
        data={"by_quote": move},
    )
    return [event]


def _summary(quote: Quote, lines: list[QuoteLine] | None) -> dict[str, Any]:
    """What the log, the messages and the webhooks say of a quote."""
    data: dict[str, Any] = {
        "version": quote.version,
        "currency": quote.currency,
        "expires_on": quote.expires_on.isoformat(),
        "completion_on": quote.completion_on.isoformat() if quote.completion_on else None,
    }
    if lines is None:
        lines = list(quote.lines.all())
    totals = totals_of(lines)
    data.update(lines=len(lines), subtotal=str(totals.subtotal), tax=str(totals.tax), total=str(totals.total))
    return data


# ----------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class _CleanLine:
    description: str
    quantity: Decimal
    unit_price: Decimal | None
    tax_rate: Decimal
    sku: str = ""
    item: Item | None = None


def _clean_lines(order: Order, lines: Sequence[QuoteLineInput]) -> list[_CleanLine]:
    if len(lines) > MAX_LINES:
        raise ActionError(
            "invalid",
            _("A quote can have at most %(limit)s lines.") % {"limit": MAX_LINES},
            details={"field": "lines"},
        )
    wanted = {line.item_id for line in lines if isinstance(line.item_id, int)}
    items = Item.objects.filter(seller_id=order.seller_id, pk__in=wanted).in_bulk() if wanted else {}
    return [_clean_line(line, index, items) for index, line in enumerate(lines)]


def _clean_line(line: QuoteLineInput, index: int, items: dict[int, Item]) -> _CleanLine:
    where = _("Line %(number)s") % {"number": index + 1}
    quantity = clean_quantity(line.quantity, where, index=index)
    price = None
    if line.unit_price not in (None, ""):
        price = clean_price(line.unit_price, where, index=index)
    item = None
    if line.item_id is not None:
        item = items.get(line.item_id) if isinstance(line.item_id, int) else None
        if item is None:
            raise ActionError(
                "unknown_item",
                _("%(where)s: there is no such item in the catalogue.") % {"where": where},
                details={"field": f"lines.{index}.item_id", "line": index + 1},
            )
    description = line.description.strip() if isinstance(line.description, str) else ""
    if not description and item is not None:
        description = item.name
    if not description or len(description) > MAX_LINE_TEXT:
        raise ActionError(
            "invalid",
            _("%(where)s: describe the service in 1 to %(limit)s characters.")
            % {"where": where, "limit": MAX_LINE_TEXT},
            details={"field": f"lines.{index}.description", "line": index + 1},
        )
    if line.tax_rate not in (None, ""):
        tax = _tax_rate(line.tax_rate, where, index)
    else:
        tax = item.tax_rate if item is not None else Decimal(0)
    if price is None and item is not None and item.kind != ItemKind.QUOTE:
        price = item.unit_price
    return _CleanLine(
        description=description[:MAX_LINE_TEXT],
        quantity=quantity,
        unit_price=price,
        tax_rate=tax,
        sku=item.sku[:MAX_SKU] if item else "",
        item=item,
    )


def _tax_rate(value: object, where: str, index: int) -> Decimal:
    field = f"lines.{index}.tax_rate"
    try:
        rate = _decimal(value, _("%(line)s: tax rate") % {"line": where}, places=3, below=Decimal(1000))
    except ActionError as error:
        raise ActionError(
            "invalid_tax_rate", error.message, details={"field": field, "line": index + 1}
        ) from None
    if rate < 0 or rate > 100:
        raise ActionError(
            "invalid_tax_rate",
            _("%(where)s: the tax rate is a percentage from 0 to 100.") % {"where": where},
            details={"field": field, "line": index + 1},
        )
    return rate


def _from_order_line(line: OrderLine) -> _CleanLine:
    return _CleanLine(
        description=line.description,
        quantity=line.quantity,
        unit_price=line.unit_price,
        tax_rate=line.tax_rate,
        sku=line.sku,
        item=line.item,
    )


def _write_lines(quote: Quote, lines: list[_CleanLine], *, replace: bool = False) -> None:
    if replace:
        quote.lines.all().delete()
    QuoteLine.objects.bulk_create(
        QuoteLine(quote=quote, position=index, **vars(line)) for index, line in enumerate(lines, 1)
    )


def _line_values(line: QuoteLine) -> dict[str, Any]:
    return {
        "position": line.position,
        "item_id": line.item_id,
        "sku": line.sku,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "tax_rate": line.tax_rate,
    }


def _currency(value: str) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != CURRENCY_LENGTH or not code.isascii() or not code.isalpha():
        raise ActionError(
            "invalid_currency",
            _("The currency must be a three-letter code such as CAD or EUR."),
            details={"field": "currency"},
        )
    return code


def _expiry(value: dt.date, today: dt.date) -> dt.date:
    if not isinstance(value, dt.date):
        raise ActionError("invalid_expiry", _("Give the expiry as a date."), details={"field": "expires_on"})
    if value < today:
        raise ActionError(
            "invalid_expiry",
            _("The expiry date is past: choose today or a later day."),
            details={"field": "expires_on"},
        )
    if value > today + dt.timedelta(days=MAX_VALIDITY_DAYS):
        raise ActionError(
            "invalid_expiry",
            _("A quote can be valid for at most a year."),
            details={"field": "expires_on"},
        )
    return value


def _completion(value: dt.date | None, today: dt.date) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, dt.date) or value < today:
        raise ActionError(
            "invalid_completion",
            _("The completion date cannot be in the past."),
            details={"field": "completion_on"},
        )
    return value


def latest_version(order: Order) -> int:
    return int(order.quotes.aggregate(latest=Max("version"))["latest"] or 0)
