"""`{% load formatting %}`: `{{ amount|money:currency }}`, `{{ moment|when }}`, `{{ date|day }}`,
`{{ moment|clock }}`, `{{ date|long_day }}`, `{{ value|number }}`, `{{ rate|percent }}`, in the active
language and time zone (see orderflow.core.formatting). Machines get `|date:'c'`, people these."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django import template

from orderflow.core import formatting

register = template.Library()


@register.filter
def money(amount: Decimal | int | str | None, currency: str) -> str:
    return formatting.money(amount, currency)


@register.filter
def when(moment: datetime.datetime | None, style: str = "") -> str:
    """`{{ moment|when }}`; `{{ moment|when:"seconds" }}` where seconds matter (a log of attempts);
    `{{ moment|when:"weekday" }}` with the day's name (an appointment)."""
    return formatting.when(moment, seconds=style == "seconds", weekday=style == "weekday")


@register.filter
def when_in(moment: datetime.datetime | None, zone: str) -> str:
    """In a named zone rather than the reader's: `{{ delivery.due_at|when_in:notification.time_zone }}`
    (when the recipient will get it, in the recipient's zone)."""
    return formatting.when(moment, zoneinfo.ZoneInfo(zone)) if zone else formatting.when(moment)


@register.filter
def clock(moment: datetime.datetime | None) -> str:
    return formatting.clock(moment)


@register.filter
def day(value: datetime.date | datetime.datetime | None) -> str:
    return formatting.day(value)


@register.filter
def long_day(value: datetime.date | datetime.datetime | None) -> str:
    return formatting.long_day(value)


@register.filter
def number(value: Decimal | int | float | None) -> str:
    return formatting.number(value)


@register.filter
def percent(rate: Decimal | int | float | None) -> str:
    return formatting.percent(rate)
