"""`{% load formatting %}`: `{{ amount|money:currency }}`, `{{ moment|when }}`, `{{ date|day }}`, in the
active language and time zone (see orderflow.core.formatting)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template

from orderflow.core import formatting

register = template.Library()


@register.filter
def money(amount: Decimal | int | str | None, currency: str) -> str:
    return formatting.money(amount, currency)


@register.filter
def when(moment: datetime.datetime | None) -> str:
    return formatting.when(moment)


@register.filter
def day(value: datetime.date | datetime.datetime | None) -> str:
    return formatting.day(value)


@register.filter
def number(value: Decimal | int | float | None) -> str:
    return formatting.number(value)
