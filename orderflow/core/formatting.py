"""Money, dates and times as each reader expects them: one format per language, in the reader's time zone
with its name. Babel knows every currency and locale; Django's own l10n has no currency formatting.

The reader is whoever the active translation and time zone belong to: the middleware of the workspace
and the portal activates the member's or contact's, and messages are rendered inside theirs."""

from __future__ import annotations

import datetime
from decimal import Decimal

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.utils import timezone, translation

# Our two languages, read in Quebec and in France: French numbers and dates follow Canadian French
# (10 h 30, 7,25 $ CA), English follows the US, which writes other dollars with their country (CA$7.25).
_BABEL_LOCALES = {"en": "en_US", "fr": "fr_CA"}
# Canadian French writes its own dollar as a bare "$"; a reader outside Canada needs to know which dollar,
# as Babel already writes "$ US" for American dollars in that locale.
_SYMBOLS = {("fr_CA", "CAD"): "$\xa0CA"}


def babel_locale(language: str | None = None) -> str:
    code = (language or translation.get_language() or "en").split("-")[0].lower()
    return _BABEL_LOCALES.get(code, "en_US")


def money(amount: Decimal | int | str | None, currency: str, language: str | None = None) -> str:
    """`7,25 $ CA` for a French reader, `CA$7.25` for an English one; "" for no amount."""
    if amount is None or amount == "":
        return ""
    locale = babel_locale(language)
    value = Decimal(str(amount))
    symbol = _SYMBOLS.get((locale, currency.upper()))
    if symbol is None:
        return babel_numbers.format_currency(value, currency.upper(), locale=locale)
    # The same pattern, with our symbol in place of Babel's.
    pattern = babel_numbers.get_currency_symbol(currency.upper(), locale)
    text = babel_numbers.format_currency(value, currency.upper(), locale=locale)
    return text.replace(pattern, symbol, 1)


def number(value: Decimal | int | float | None, language: str | None = None) -> str:
    if value is None:
        return ""
    return babel_numbers.format_decimal(value, locale=babel_locale(language))


def _zone(tz: datetime.tzinfo | None) -> datetime.tzinfo:
    return tz or timezone.get_current_timezone()


def zone_name(
    moment: datetime.datetime, tz: datetime.tzinfo | None = None, language: str | None = None
) -> str:
    """The short name of the reader's zone at that moment (EST, HNE, UTC), or its offset (UTC+01:00)."""
    tz = _zone(tz)
    locale = babel_locale(language)
    name = babel_dates.format_datetime(moment, "z", tzinfo=tz, locale=locale)
    if name and name[0] in "+-":
        offset = babel_dates.format_datetime(moment, "xxx", tzinfo=tz, locale=locale)
        return f"UTC{offset}"
    return name


def when(
    moment: datetime.datetime | None, tz: datetime.tzinfo | None = None, language: str | None = None
) -> str:
    """A date and time in the reader's zone, with the zone's name: `Dec 2, 2026, 10:30 AM EST`,
    `2 déc. 2026, 10 h 30 HNE`."""
    if moment is None:
        return ""
    tz = _zone(tz)
    locale = babel_locale(language)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    local = moment.astimezone(tz)
    day_part = babel_dates.format_date(local, "medium", locale=locale)
    time_part = babel_dates.format_time(local, "short", locale=locale)
    return f"{day_part}, {time_part} {zone_name(moment, tz, language)}"


def day(
    value: datetime.date | datetime.datetime | None,
    tz: datetime.tzinfo | None = None,
    language: str | None = None,
) -> str:
    """A calendar date: `Dec 2, 2026`, `2 déc. 2026` (a moment is first put in the reader's zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        value = value.astimezone(_zone(tz)).date()
    return babel_dates.format_date(value, "medium", locale=babel_locale(language))
