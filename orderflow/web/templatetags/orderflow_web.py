"""Labels of an order's workflow in the seller's language, for templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms, template
from django.utils import timezone

from orderflow.core.logmask import mask_secrets
from orderflow.integrations.models import WebhookEndpoint
from orderflow.integrations.webhooks import shown_url
from orderflow.notifications.channels import registry
from orderflow.notifications.models import Delivery, Status
from orderflow.orders.models import Order
from orderflow.orders.selectors import ListRow
from orderflow.web import order_rows as rows

register = template.Library()


@register.simple_tag(takes_context=True)
def order_rows(context: template.Context, orders: list[ListRow]) -> str:
    """`{% order_rows orders %}`: the rows of Manage Orders (see orderflow.web.order_rows)."""
    return rows.order_rows(
        orders,
        seller_slug=context["seller"].slug,
        locale=context["locale"],
        all_selected=bool(context.get("all_selected")),
        customer_query=context.get("customer_query") or "",
    )


@register.filter
def state_label(order: Order, locale: str = "en") -> str:
    """The staff label of the order's current state."""
    return order.current_state.label(locale)


@register.filter
def customer_state_label(order: Order, locale: str = "en") -> str:
    """What the customer sees as the order's status."""
    return order.current_state.customer_label(locale)


@register.filter
def webhook_url(endpoint: WebhookEndpoint, full: bool) -> str:
    """The endpoint's URL as the reader may see it: in full, or scheme and host only (`sees_full_urls`)."""
    return shown_url(endpoint, full=bool(full))


@register.filter
def field_label(form: forms.Form, name: str) -> str:
    """The label of a form's field by name (for lists of errors)."""
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else name


@register.filter
def secret_masked(text: str) -> str:
    """A delivery's address or error without the credentials a service URL carries (core.logmask)."""
    return mask_secrets(text)


@register.filter
def is_held(delivery: Delivery) -> bool:
    """Waiting for its due time (delivery hours, a retry, a feedback delay) rather than due now."""
    return delivery.status == Status.PENDING and delivery.due_at > timezone.now()


@register.filter
def channel_label(key: str) -> str:
    return registry.label(key)


@register.filter
def get_item(mapping: Mapping[Any, Any], key: Any) -> Any:
    """`mapping[key]` in a template, None when missing."""
    return mapping.get(key)


@register.filter
def channel_list(keys: list[str]) -> str:
    """Channel keys as their labels, e.g. "Email, In-app"."""
    return ", ".join(channel_label(key) for key in keys)
