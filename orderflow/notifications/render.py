"""One function renders every message: the seller's override or the default for the recipient's
language, with the order as it is now (so a coalesced message carries the current status)."""

from __future__ import annotations

import html
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils import formats, translation

from orderflow.notifications import links
from orderflow.notifications.models import Action, Category, MessageTemplate, Notification, Preference
from orderflow.orders.models import Order, OrderLine

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
PARTS = ("subject", "body", "sms")
PLACEHOLDERS = frozenset({
    "seller_name", "customer_name", "recipient_name", "order_number", "order_title", "status", "note",
    "customer_notes", "estimated_completion", "refund_amount", "currency", "custom_message", "upsell",
    "order_url", "reply_url", "action_url", "rate_url", "preferences_url", "unsubscribe_url", "total",
    "endpoint_url", "reason",
})  # fmt: skip
_MISSING = "\x00missing:%s\x00"
_MISSING_RE = re.compile("\x00missing:(.*?)\x00")
_engine = Engine(string_if_invalid=_MISSING, autoescape=False)
_URL_RE = re.compile(r"(https?://[^\s<]+)")


class TemplateProblem(ValueError):
    pass


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    short: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""  # the text without the settings footer (what a person reads out on a call)


@cache
def defaults(locale: str) -> dict[str, dict[str, str]]:
    path = MESSAGES_DIR / f"{locale}.toml"
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def template_keys() -> list[str]:
    return sorted(defaults("en"))


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """Templates are few and reused for every message: parse each once per process."""
    return _engine.from_string(source)


def _render(source: str, context: dict[str, Any]) -> str:
    try:
        output = _compiled(source).render(Context(context, autoescape=False))  # text, not HTML
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"The template has a syntax error: {exc}") from None
    missing = sorted(set(_MISSING_RE.findall(output)))
    if missing:
        raise TemplateProblem(
            f"Unknown placeholder(s): {', '.join(missing)}. Use: {', '.join(sorted(PLACEHOLDERS))}."
        )
    return output.strip()


def check(source: str) -> None:
    """Refuse a template with a syntax error or an unknown placeholder, naming it."""
    sample = dict.fromkeys(PLACEHOLDERS, "x")
    _render(source, sample)
    # Placeholders inside conditions only show when the condition holds: look for names too.
    named = set(re.findall(r"{{\s*([a-zA-Z_][\w]*)", source)) | set(
        re.findall(r"{%\s*if\s+(?:not\s+)?(\w+)", source)
    )
    unknown = sorted(named - PLACEHOLDERS)
    if unknown:
        raise TemplateProblem(
            f"Unknown placeholder(s): {', '.join(unknown)}. Use: {', '.join(sorted(PLACEHOLDERS))}."
        )


@dataclass(frozen=True)
class Batch:
    """What rendering several messages needs, fetched once for all of them by `preload`."""

    orders: dict[int, Order]
    overrides: dict[tuple[int, str, str], dict[str, str]]
    looked_up: frozenset[tuple[int, str, str]]  # (seller, template, locale) searched for an override


def _orders() -> QuerySet[Order]:
    """Orders as messages show them, each with its total (summed as `Order.total` sums it)."""
    line_total = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .values("order")
        .annotate(total=Sum(F("quantity") * F("unit_price")))
        .values("total")
    )
    return Order.objects.select_related("seller", "customer", "workflow_version").annotate(
        line_total=Subquery(line_total)
    )


def _parts(template: MessageTemplate) -> dict[str, str]:
    return {"subject": template.subject, "body": template.body, "sms": template.sms}


def preload(notifications: Iterable[Notification]) -> Batch:
    """Fetch in two queries what rendering these notifications needs (their orders, the sellers' own
    wording of their messages) instead of two queries per message. Orders are read as they are now:
    call it just before rendering them, e.g. once per batch the worker claimed."""
    items = [n for n in notifications if n.webhook_id is None]
    order_ids = {n.order_id for n in items if n.order_id is not None}
    orders = {order.pk: order for order in _orders().filter(pk__in=order_ids)} if order_ids else {}
    wanted = frozenset((n.seller_id, n.template, n.locale) for n in items)
    found = MessageTemplate.objects.filter(
        seller_id__in={seller for seller, _, _ in wanted},
        key__in={key for _, key, _ in wanted},
        locale__in={locale for _, _, locale in wanted},
    )
    overrides = {
        (t.seller_id, t.key, t.locale): _parts(t) for t in found if (t.seller_id, t.key, t.locale) in wanted
    }
    return Batch(orders=orders, overrides=overrides, looked_up=wanted)


def source_for(seller_id: int, key: str, locale: str, *, batch: Batch | None = None) -> dict[str, str]:
    """The seller's override for this language, else the default in it, else English."""
    if batch is not None and (seller_id, key, locale) in batch.looked_up:
        found = batch.overrides.get((seller_id, key, locale))
        if found is not None:
            return found
    else:
        override = MessageTemplate.objects.filter(seller_id=seller_id, key=key, locale=locale).first()
        if override is not None:
            return _parts(override)
    for lang in (locale, "en"):
        found = defaults(lang).get(key)
        if found:
            return found
    raise TemplateProblem(f"There is no message template {key!r}.")


def _seller_context(notification: Notification) -> dict[str, Any]:
    """For messages about the seller rather than an order: the payload fills the placeholders."""
    context: dict[str, Any] = dict.fromkeys(PLACEHOLDERS, "")
    context.update(seller_name=notification.seller.name, recipient_name=notification.recipient_name)
    context.update({k: v for k, v in (notification.payload or {}).items() if k in PLACEHOLDERS})
    return context


def context_for(notification: Notification, *, batch: Batch | None = None) -> dict[str, Any]:
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
    with translation.override(locale):
        estimate = formats.date_format(order.estimated_completion) if order.estimated_completion else ""
    staff_url = f"{settings.SITE_URL}/s/{order.seller.slug}/orders/{order.number}/"
    track_url = links.url("track", order=order.pk, contact=contact_id) if for_customer else staff_url
    context: dict[str, Any] = {
        "seller_name": order.seller.name,
        "customer_name": order.customer.name,
        "recipient_name": notification.recipient_name,
        "order_number": order.number,
        "order_title": order.title,
        "status": state.customer_label(locale) if for_customer else state.label(locale),
        "note": event.note if event is not None else "",
        "customer_notes": order.customer_notes,
        "estimated_completion": estimate,
        "refund_amount": (event.data or {}).get("amount", "") if event is not None else "",
        "currency": order.currency,
        "total": Decimal(getattr(order, "line_total", None) or 0).quantize(Decimal("0.01")),
        "custom_message": rule.custom_message if rule else "",
        "upsell": "",
        "order_url": track_url,
        "reply_url": f"{track_url}#reply" if for_customer else track_url,
        "action_url": "",
        "rate_url": "",
        "preferences_url": links.url("prefs", contact=contact_id)
        if for_customer
        else f"{settings.SITE_URL}/s/{order.seller.slug}/settings/me/",
        "unsubscribe_url": "",
    }
    if rule and rule.action == Action.CHOOSE_DELIVERY_TIME and for_customer:
        context["action_url"] = links.url("delivery", order=order.pk, contact=contact_id)
    if rule and rule.action == Action.RATE and for_customer:
        context["rate_url"] = links.url("rate", order=order.pk, contact=contact_id)
    if rule and rule.upsell and for_customer and not _opted_out_of_offers(contact_id):
        context["upsell"] = rule.upsell
        context["unsubscribe_url"] = links.url("unsubscribe", contact=contact_id)
    return context


def _opted_out_of_offers(contact_id: int | None) -> bool:
    if contact_id is None:
        return False
    return Preference.objects.filter(
        contact_id=contact_id, category=Category.MARKETING, enabled=False
    ).exists()


def render(notification: Notification, *, batch: Batch | None = None) -> Rendered:
    """The message for this notification; with `batch` (from `preload`), without querying again what
    the batch holds."""
    if notification.webhook_id is not None:
        # The payload was fixed when the event happened; the transport signs exactly these bytes.
        body = json.dumps(notification.payload, separators=(",", ":"), ensure_ascii=False)
        return Rendered(subject="", text=body, html="", short="")
    context = context_for(notification, batch=batch)
    source = source_for(notification.seller_id, notification.template, notification.locale, batch=batch)
    subject = " ".join(_render(source["subject"], context).split())
    text = _render(source["body"], context)
    short = _render(source["sms"], context)
    if context["upsell"]:
        text += f"\n\n{context['upsell']}"
        short += f" {context['upsell']}"
    footer = []
    if context["preferences_url"]:
        footer.append(f"Notification settings: {context['preferences_url']}")
    headers: dict[str, str] = {}
    if context["unsubscribe_url"]:
        footer.append(f"No more offers: {context['unsubscribe_url']}")
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to this URL.
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    full_text = text + ("\n\n--\n" + "\n".join(footer) if footer else "")
    return Rendered(
        subject=subject, text=full_text, html=_html(text, footer), short=short, headers=headers, body=text
    )


def _html(text: str, footer: list[str]) -> str:
    def paragraph(block: str) -> str:
        escaped = html.escape(block)
        linked = _URL_RE.sub(r'<a href="\1">\1</a>', escaped)
        return "<p>" + linked.replace("\n", "<br>") + "</p>"

    body = "".join(paragraph(b) for b in re.split(r"\n\s*\n", text) if b.strip())
    foot = "".join(paragraph(line) for line in footer)
    return (
        '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5;max-width:36em">'
        f'{body}<hr><div style="color:#666;font-size:small">{foot}</div></body></html>'
    )
