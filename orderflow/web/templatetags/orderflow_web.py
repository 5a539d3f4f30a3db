"""Labels of an order's workflow in the seller's language, for templates."""

from __future__ import annotations

from django import forms, template

from orderflow.orders.models import Order

register = template.Library()


@register.filter
def state_label(order: Order, locale: str = "en") -> str:
    """The staff label of the order's current state."""
    return order.current_state.label(locale)


@register.filter
def customer_state_label(order: Order, locale: str = "en") -> str:
    """What the customer sees as the order's status."""
    return order.current_state.customer_label(locale)


@register.filter
def field_label(form: forms.Form, name: str) -> str:
    """The label of a form's field by name (for lists of errors)."""
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else name
