"""One function renders every message: the seller's override or the default for the recipient's
language, with the order as it is now (so a coalesced message carries the current status).

The defaults are template files, one per part of each message (healthchecks' `emails/` is the model):

    messages/<locale>/<key>-subject.txt     the email's subject
    messages/<locale>/<key>-body-text.txt   the message as text (also read out on calls)
    messages/<locale>/<key>-body-html.html  the message as HTML, extending `_email-html.html`
    messages/<locale>/<key>-sms.txt         short text: SMS, messengers, the in-app inbox

and per language the layouts around any message: `_email-text.txt` (the offer and the settings
footer), `_email-html.html` (the same in HTML), `_sms.txt` (the offer), and `_seller-body-html.html`,
the one HTML template that shows a seller's own wording (text, escaped). The files are the product's
own and trusted: the full engine renders them. A seller's wording is checked by `seller_templates`."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.template import Context, Engine
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext

from orderflow.conversations.models import Message
from orderflow.conversations.selectors import thread_for_email
from orderflow.core import formatting
from orderflow.leads.rules import describe_save
from orderflow.notifications import links, replies, seller_templates
from orderflow.notifications.models import (
    Action,
    Category,
    LinkGrant,
    LinkPurpose,
    MessageTemplate,
    Notification,
    Preference,
)
from orderflow.notifications.seller_templates import MISSING, PLACEHOLDERS, TemplateProblem
from orderflow.orders.models import EventType, Order, Shipment, describe_line_change

__all__ = ["PARTS", "PLACEHOLDERS", "Batch", "Rendered", "TemplateProblem", "check", "preload", "render"]

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
PARTS = ("subject", "body", "sms")
FILES = {"subject": "subject.txt", "body": "body-text.txt", "sms": "sms.txt"}
# What a message may grow to, whoever wrote it: beyond, it is cut (see `_cap`).
OUTPUT_LIMITS = {"subject": 300, "body": 20_000, "sms": 1_000}
# A message email shows this many earlier messages of the thread (newest first), each cut at this many
# characters; the order's page has the rest.
THREAD_IN_EMAIL = 10
THREAD_MESSAGE_LIMIT = 1_500
# What every layout reads besides the placeholders: empty unless the message tells of a thread message.
NO_THREAD: dict[str, Any] = {"files": [], "thread": [], "thread_more": 0}
SHIPMENT_FIELDS = ("carrier_name", "tracking_number", "tracking_url", "estimated_delivery")
_MISSING_RE = re.compile("\x00missing:(.*?)\x00")
# Only this folder, through the cached loader: each file is parsed once per process.
_files = Engine(dirs=[str(MESSAGES_DIR)], string_if_invalid=MISSING)


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    short: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""  # the text without the settings footer (what a person reads out on a call)


@cache
def locales() -> list[str]:
    """The languages the product's messages are written in."""
    return sorted(path.name for path in MESSAGES_DIR.iterdir() if (path / "_email-html.html").is_file())


@cache
def defaults(locale: str) -> dict[str, dict[str, str]]:
    """The product's wording in one language, as sellers start from it: {key: {part: source}}."""
    if locale not in locales():
        return {}
    folder = MESSAGES_DIR / locale
    keys = sorted(path.name.removesuffix("-subject.txt") for path in folder.glob("*-subject.txt"))
    return {
        key: {
            part: (folder / f"{key}-{name}").read_text(encoding="utf-8").rstrip("\n")
            for part, name in FILES.items()
        }
        for key in keys
    }


def template_keys() -> list[str]:
    return sorted(defaults("en"))


def _file(name: str, context: dict[str, Any], *, html: bool = False) -> str:
    """One of the product's own templates, rendered; escaped for HTML only when `html`."""
    output = _files.get_template(name).render(Context(context, autoescape=html))
    missing = sorted(set(_MISSING_RE.findall(output)))
    if missing:  # a bug in a shipped file, or a placeholder the context lost: never send a half message
        raise seller_templates.unknown_placeholders(set(missing))
    return output.strip()


def check(source: str, part: str = "body") -> None:
    """Refuse what a seller may not write (naming it), bad syntax or an unknown placeholder: raises
    TemplateProblem. The same check runs again when a stored template is rendered."""
    seller_templates.compile_template(source, part)


class Wording(Protocol):
    """How one message reads in one language: the product's files, or a seller's own wording."""

    @property
    def locale(self) -> str: ...

    def text(self, part: str, context: dict[str, Any]) -> str: ...

    def html(self, context: dict[str, Any]) -> str: ...


@dataclass(frozen=True)
class DefaultWording:
    locale: str
    key: str

    def text(self, part: str, context: dict[str, Any]) -> str:
        return _file(f"{self.locale}/{self.key}-{FILES[part]}", context)

    def html(self, context: dict[str, Any]) -> str:
        return _file(f"{self.locale}/{self.key}-body-html.html", context, html=True)


@dataclass(frozen=True)
class SellerWording:
    """A seller's subject, body and short text. Its HTML is its text (`body` in the context), escaped,
    in the product's layout: sellers write text only."""

    locale: str
    parts: dict[str, str]

    def text(self, part: str, context: dict[str, Any]) -> str:
        return seller_templates.render_text(self.parts[part], part, context).strip()

    def html(self, context: dict[str, Any]) -> str:
        return _file(f"{self.locale}/_seller-body-html.html", context, html=True)


@dataclass(frozen=True)
class Batch:
    """What rendering several messages needs, fetched once for all of them by `preload`."""

    orders: dict[int, Order]
    overrides: dict[tuple[int, str, str], dict[str, str]]
    looked_up: frozenset[tuple[int, str, str]]  # (seller, template, locale) searched for an override
    grants: dict[tuple[int, str], LinkGrant] = field(default_factory=dict)  # (notification, purpose)


def _orders() -> QuerySet[Order]:
    """Orders as messages show them. Their total is read only by messages that show it (see `total`)."""
    # The latest shipment, in the same query: messages may name its carrier and tracking link.
    latest = Shipment.objects.filter(order=OuterRef("pk")).order_by("-shipped_at", "-id")
    return Order.objects.select_related("seller", "customer", "workflow_version").annotate(
        **{f"shipment_{name}": Subquery(latest.values(name)[:1]) for name in SHIPMENT_FIELDS},
    )


def _parts(template: MessageTemplate) -> dict[str, str]:
    return {"subject": template.subject, "body": template.body, "sms": template.sms}


def _purposes(notification: Notification) -> list[str]:
    """The links a message to a customer about an order carries (the offer's unsubscribe link aside)."""
    if notification.contact_id is None or notification.order_id is None:
        return []
    wanted: list[str] = [LinkPurpose.TRACK, LinkPurpose.PREFS]
    rule = notification.rule
    if rule and rule.action == Action.CHOOSE_DELIVERY_TIME:
        wanted.append(LinkPurpose.DELIVERY)
    if rule and rule.action == Action.RATE:
        wanted.append(LinkPurpose.RATE)
    return wanted


def preload(notifications: Iterable[Notification]) -> Batch:
    """Fetch in a few queries what rendering these notifications needs (their orders, the sellers' own
    wording of their messages, the grants of their links) instead of a few per message. Orders are read
    as they are now: call it just before rendering them, e.g. once per batch the worker claimed."""
    items = [n for n in notifications if n.webhook_id is None]
    order_ids = {n.order_id for n in items if n.order_id is not None}
    # With their lines, for the totals with taxes (`Order.totals`, the one place they are computed).
    orders = (
        {order.pk: order for order in _orders().prefetch_related("lines").filter(pk__in=order_ids)}
        if order_ids
        else {}
    )
    wanted = frozenset((n.seller_id, n.template, n.locale) for n in items)
    found = MessageTemplate.objects.filter(
        seller_id__in={seller for seller, _, _ in wanted},
        key__in={key for _, key, _ in wanted},
        locale__in={locale for _, _, locale in wanted},
    )
    overrides = {
        (t.seller_id, t.key, t.locale): _parts(t) for t in found if (t.seller_id, t.key, t.locale) in wanted
    }
    grants = links.for_notifications((n, purpose) for n in items for purpose in _purposes(n))
    return Batch(orders=orders, overrides=overrides, looked_up=wanted, grants=grants)


def wording_for(seller_id: int, key: str, locale: str, *, batch: Batch | None = None) -> Wording:
    """The seller's override for this language, else the default in it, else English."""
    layout = locale if locale in locales() else "en"
    if batch is not None and (seller_id, key, locale) in batch.looked_up:
        found = batch.overrides.get((seller_id, key, locale))
        if found is not None:
            return SellerWording(layout, found)
    else:
        override = MessageTemplate.objects.filter(seller_id=seller_id, key=key, locale=locale).first()
        if override is not None:
            return SellerWording(layout, _parts(override))
    for lang in (locale, "en"):
        if key in defaults(lang):
            return DefaultWording(lang, key)
    raise TemplateProblem(gettext("There is no message template %(key)r.") % {"key": key})


def _seller_context(notification: Notification) -> dict[str, Any]:
    """For messages about the seller rather than an order: the payload fills the placeholders."""
    context: dict[str, Any] = dict.fromkeys(PLACEHOLDERS, "")
    context.update(seller_name=notification.seller.name, recipient_name=notification.recipient_name)
    context.update({k: v for k, v in (notification.payload or {}).items() if k in PLACEHOLDERS})
    context.update(NO_THREAD)
    return context


def context_for(
    notification: Notification, *, batch: Batch | None = None, customer_links: bool = True
) -> dict[str, Any]:
    """What a message's templates read. Its links act as the customer; without `customer_links` (a
    script read out by staff on a call) it carries the staff page of the order and no customer link."""
    if notification.order_id is None:
        return _seller_context(notification)
    order = batch.orders.get(notification.order_id) if batch is not None else None
    if order is None:  # the order as it is now
        order = _orders().get(pk=notification.order_id)
    event, rule = notification.event, notification.rule
    locale = notification.locale
    state = order.workflow.state(order.state)
    for_customer = notification.contact_id is not None
    contact_id = notification.contact_id
    with_links = for_customer and customer_links
    grants = batch.grants if batch is not None else {}
    if with_links and any((notification.pk, p) not in grants for p in _purposes(notification)):
        grants = {**grants, **links.for_notifications((notification, p) for p in _purposes(notification))}

    def link(purpose: str) -> str:
        return links.url_of(grants[(notification.pk, purpose)])

    changes = ""
    if event is not None and event.type == EventType.LINE_UPDATED:
        with translation.override(locale):
            changes = "\n".join(describe_line_change(event.data or {}))
    if event is not None and event.type == EventType.PEOPLE_ADDED:
        with translation.override(locale):
            changes = describe_save(event.data or {})
    staff_url = f"{settings.SITE_URL}/s/{order.seller.slug}/orders/{order.number}/"
    track_url = link(LinkPurpose.TRACK) if with_links else staff_url
    context: dict[str, Any] = {
        "seller_name": order.seller.name,
        "customer_name": order.customer.name,
        "recipient_name": notification.recipient_name,
        "order_number": order.number,
        "order_title": order.title,
        "status": state.customer_label(locale) if for_customer else state.label(locale),
        "note": event.note if event is not None else "",
        "customer_notes": order.customer_notes,
        # Money and dates as the recipient reads them (`7,25 $ CA`, `2 déc. 2026`): `render` runs in their
        # language and time zone. `currency` stays the code, for conditions (`{% if currency == "EUR" %}`).
        "estimated_completion": formatting.day(order.estimated_completion, language=locale),
        "changes": changes,
        "refund_amount": formatting.money(
            (event.data or {}).get("amount") if event is not None else None, order.currency, locale
        ),
        "currency": order.currency,
        # A callable, which templates call when they show it: one query, only for messages with a total.
        "total": lambda: formatting.money(order.totals().total, order.currency, locale),
        "custom_message": rule.custom_message if rule else "",
        "upsell": "",
        "order_url": track_url,
        "reply_url": f"{track_url}#reply" if with_links else track_url,
        "action_url": "",
        "rate_url": "",
        "preferences_url": link(LinkPurpose.PREFS)
        if with_links
        else ("" if for_customer else f"{settings.SITE_URL}/s/{order.seller.slug}/settings/me/"),
        "unsubscribe_url": "",
    }
    context.update(NO_THREAD)
    if event is not None and event.type == EventType.MESSAGE:
        files_url = f"{track_url}files/" if with_links else f"{staff_url}files/"
        context.update(_thread(order, notification, (event.data or {}).get("message_id"), files_url))
    context.update(_shipping(notification, order, locale))
    if rule and rule.action == Action.CHOOSE_DELIVERY_TIME and with_links:
        context["action_url"] = link(LinkPurpose.DELIVERY)
    if rule and rule.action == Action.RATE and with_links:
        context["rate_url"] = link(LinkPurpose.RATE)
    if rule and rule.upsell and with_links and not _opted_out_of_offers(contact_id):
        context["upsell"] = rule.upsell
        grants = {**grants, **links.for_notifications([(notification, LinkPurpose.UNSUBSCRIBE)])}
        context["unsubscribe_url"] = link(LinkPurpose.UNSUBSCRIBE)
    return context


def _thread(order: Order, notification: Notification, message_id: Any, files_url: str) -> dict[str, Any]:
    """The message's files, and the thread before it, newest first (never an internal note for a
    customer), each file linked on the page the reader may open (their link, or the staff page)."""
    if not isinstance(message_id, int):
        return NO_THREAD
    shown, more = thread_for_email(
        order,
        up_to=message_id,
        customer=notification.contact_id is not None,
        limit=THREAD_IN_EMAIL + 1,
    )
    tz = ZoneInfo(notification.time_zone) if notification.time_zone else None

    def files(message: Message) -> list[dict[str, Any]]:
        return [
            {"name": a.name, "size": filesizeformat(a.size), "url": f"{files_url}{a.pk}/"}
            for a in message.attachments.all()
        ]

    current = [m for m in shown if m.pk == message_id]
    earlier = [m for m in shown if m.pk != message_id][:THREAD_IN_EMAIL]
    with translation.override(notification.locale):
        thread = [
            {
                "author": m.author_name,
                "at": formatting.when(m.created_at, tz, notification.locale),
                "body": _cap(m.body, THREAD_MESSAGE_LIMIT),
                "files": files(m),
            }
            for m in earlier
        ]
        return {
            "files": files(current[0]) if current else [],
            "thread": thread,
            "thread_more": more + max(0, len(shown) - len(current) - len(earlier)),
        }


def _shipping(notification: Notification, order: Order, locale: str) -> dict[str, str]:
    """The parcel a message speaks of: the one a "shipped" event recorded, else the order's latest
    (annotated on the order by `_orders`)."""
    event = notification.event
    data: dict[str, Any]
    if event is not None and event.type == EventType.SHIPPED:
        data = dict(event.data or {})
    else:
        data = {
            "carrier": getattr(order, "shipment_carrier_name", ""),
            **{name: getattr(order, f"shipment_{name}", "") for name in SHIPMENT_FIELDS[1:]},
        }
    expected = data.get("estimated_delivery")
    if isinstance(expected, str) and expected:
        expected = dt.date.fromisoformat(expected)
    delivery = formatting.day(expected, language=locale) if isinstance(expected, dt.date) else ""
    return {
        "carrier": str(data.get("carrier") or ""),
        "tracking_number": str(data.get("tracking_number") or ""),
        "tracking_url": str(data.get("tracking_url") or ""),
        "estimated_delivery": delivery,
    }


def _opted_out_of_offers(contact_id: int | None) -> bool:
    if contact_id is None:
        return False
    return Preference.objects.filter(
        contact_id=contact_id, category=Category.MARKETING, enabled=False
    ).exists()


def render(
    notification: Notification, *, batch: Batch | None = None, customer_links: bool = True
) -> Rendered:
    """The message for this notification; with `batch` (from `preload`), without querying again what
    the batch holds; without `customer_links`, for staff to read out (see `context_for`). Raises
    TemplateProblem (permanent) for a wording that cannot be used."""
    if notification.webhook_id is not None:
        # The payload was fixed when the event happened; the transport signs exactly these bytes.
        body = json.dumps(notification.payload, separators=(",", ":"), ensure_ascii=False)
        return Rendered(subject="", text=body, html="", short="")
    # Whoever renders it (the worker, a staff page), a message reads as its recipient reads: their
    # language, and their time zone for any time it shows (a contact's own; staff, their seller's).
    with translation.override(notification.locale), timezone.override(_zone(notification.time_zone)):
        return _render(notification, batch=batch, customer_links=customer_links)


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # a zone this machine no longer knows
        return zoneinfo.ZoneInfo("UTC")


def _render(notification: Notification, *, batch: Batch | None, customer_links: bool) -> Rendered:
    context = context_for(notification, batch=batch, customer_links=customer_links)
    wording = wording_for(notification.seller_id, notification.template, notification.locale, batch=batch)
    subject = _cap(" ".join(wording.text("subject", context).split()), OUTPUT_LIMITS["subject"])
    message = _cap(wording.text("body", context), OUTPUT_LIMITS["body"])
    short = _cap(wording.text("sms", context), OUTPUT_LIMITS["sms"])
    # The layouts add what every message carries: the offer, the settings and unsubscribe links.
    layout = {**context, "subject": subject, "body": message, "short": short}
    lang = wording.locale
    headers: dict[str, str] = {}
    if context["unsubscribe_url"]:
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to this URL.
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    event = notification.event if notification.event_id is not None else None
    if event is not None and event.type == EventType.MESSAGE:
        # One thread per order in the reader's mail client; answering it posts to the order's thread.
        thread_id = f"<order-{notification.order_id}@{settings.MESSAGE_ID_DOMAIN}>"
        headers["In-Reply-To"] = thread_id
        headers["References"] = thread_id
        reply_to = replies.address_for(notification)
        if reply_to:
            headers["Reply-To"] = reply_to
    return Rendered(
        subject=subject,
        text=_file(f"{lang}/_email-text.txt", {**layout, "footer": True}),
        html=wording.html(layout),
        short=_file(f"{lang}/_sms.txt", layout),
        headers=headers,
        body=_file(f"{lang}/_email-text.txt", {**layout, "footer": False}),
    )


def _cap(text: str, limit: int) -> str:
    """Cut what is longer than the limit, marking the cut. A message is cut rather than refused: the
    overflow comes from what people typed (a long note in a short text), and a cut message still
    tells them, with the links that the layouts add after the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
