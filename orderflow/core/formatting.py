"""Money, dates and times as each reader expects them: one format per language, in the reader's time zone
with its name. Babel knows every currency and locale; Django's own l10n has no currency formatting.

The reader is whoever the active translation and time zone belong to: the middleware of the workspace
and the portal activates the member's or contact's, and messages are rendered inside theirs."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from functools import lru_cache

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.utils import timezone, translation

# Our two languages, read in Quebec and in France: French numbers and dates follow Canadian French
# (10 h 30, 7,25 $ CA), English follows the US, which writes other dollars with their country (CA$7.25).
_BABEL_LOCALES = {"en": "en_US", "fr": "fr_CA"}
# Canadian French writes its own dollar as a bare "$"; a reader outside Canada needs to know which dollar,
# as Babel already writes "$ US" for American dollars in that locale.
_SYMBOLS = {("fr_CA", "CAD"): "$\xa0CA"}
# Hours without a leading zero in French (9 h 05, not 09 h 05), as Quebec and France write them.
_TIME_PATTERNS = {("fr_CA", "short"): "H 'h' mm", ("fr_CA", "medium"): "H 'h' mm 'min' ss 's'"}


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


def currency_sign(currency: str, language: str | None = None) -> str:
    """How the reader writes the currency alone, e.g. in a field's label: `CA$`, `$ CA`, `$`, `€`."""
    locale = babel_locale(language)
    code = currency.upper()
    return _SYMBOLS.get((locale, code)) or babel_numbers.get_currency_symbol(code, locale)


def number(value: Decimal | int | float | str | None, language: str | None = None) -> str:
    """A quantity or any plain number: `2` (not `2.000`), `1,5` in French, `1,234.5` in English; up to
    three decimals, as many as it has."""
    if value is None or value == "":
        return ""
    return babel_numbers.format_decimal(Decimal(str(value)), locale=babel_locale(language))


def typed_number(text: str, language: str | None = None) -> str:
    """A number as a person typed it, in the plain form the actions read (`1234.5`).

    French readers write `1 234,5`: the decimal comma becomes a point and spaces between digits go (also
    no-break and narrow no-break spaces). A point is read as a decimal point in every language, so `7.25`
    works everywhere. Anything else is returned as typed, for the action to say what is wrong with it."""
    value = text.strip()
    for space in (" ", "\u00a0", "\u202f"):
        value = value.replace(space, "")
    if (
        re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", value)
        and babel_numbers.get_decimal_symbol(babel_locale(language)) == "."
    ):
        value = value.replace(",", "")  # 1,234.50 written in English
    elif value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")  # 7,25 (a point is a point in every language)
    return value


def percent(rate: Decimal | int | float | str | None, language: str | None = None) -> str:
    """A rate given in percent (a tax rate of `14.975`): `14.975%`, `14,975 %`."""
    if rate is None or rate == "":
        return ""
    fraction = Decimal(str(rate)) / 100
    return babel_numbers.format_percent(fraction, locale=babel_locale(language), decimal_quantization=False)


def _zone(tz: datetime.tzinfo | None) -> datetime.tzinfo:
    return tz or timezone.get_current_timezone()


def zone_name(
    moment: datetime.datetime, tz: datetime.tzinfo | None = None, language: str | None = None
) -> str:
    """The short name of the reader's zone at that moment: the language's own where it has one (EST in
    English, HNE in French), else the zone's usual abbreviation (CEST, BST, JST), else its offset
    (UTC+04:00)."""
    tz = _zone(tz)
    locale = babel_locale(language)
    moment = _aware(moment)
    local = moment.astimezone(tz)
    # The name depends only on the zone, the language and which of the zone's offsets is in force: a
    # list of a hundred moments looks it up once (Babel's lookup is the costliest part of a time).
    key = (tz, locale, local.utcoffset(), local.dst(), local.tzname())
    name = _ZONE_NAMES.get(key)
    if name is None:
        if len(_ZONE_NAMES) > 1024:
            _ZONE_NAMES.clear()
        name = _ZONE_NAMES[key] = _zone_name(moment, tz, locale)
    return name


_ZONE_NAMES: dict[tuple[object, ...], str] = {}


def _zone_name(moment: datetime.datetime, tz: datetime.tzinfo, locale: str) -> str:
    name = babel_dates.format_datetime(moment, "z", tzinfo=tz, locale=locale)
    if name and not any(char.isdigit() for char in name):
        return name
    abbreviation = moment.astimezone(tz).tzname() or ""
    if abbreviation.isalpha():
        return abbreviation
    offset = babel_dates.format_datetime(moment, "xxx", tzinfo=tz, locale=locale)
    return "UTC" if offset in ("+00:00", "Z") else f"UTC{offset}"


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(moment, datetime.UTC) if timezone.is_naive(moment) else moment


def when(
    moment: datetime.datetime | None,
    tz: datetime.tzinfo | None = None,
    language: str | None = None,
    *,
    seconds: bool = False,
    weekday: bool = False,
) -> str:
    """A date and time in the reader's zone, with the zone's name: `Dec 2, 2026, 10:30 AM EST`,
    `2 déc. 2026, 10 h 30 HNE`; with `seconds`, `10:30:05 AM EST` (technical logs: attempts, retries);
    with `weekday`, the day's name and the month in full (`Wednesday, December 2, 2026, 10:30 AM EST`:
    an appointment such as a delivery slot)."""
    if moment is None:
        return ""
    tz = _zone(tz)
    local = _aware(moment).astimezone(tz)
    day_part = _date_text(local.date(), "full" if weekday else "medium", babel_locale(language))
    return f"{day_part}, {clock(moment, tz, language, seconds=seconds)}"


# Babel formats a date or a time in some 20 µs; a list of fifty rows shows a handful of distinct days and
# minutes. Both are pure functions of their arguments (a date, or a time of day without a zone, whose name
# `zone_name` adds), so they are remembered.
@lru_cache(maxsize=4096)
def _date_text(date: datetime.date, width: str, locale: str) -> str:
    return babel_dates.format_date(date, width, locale=locale)


@lru_cache(maxsize=8192)
def _time_text(time: datetime.time, pattern: str, locale: str) -> str:
    return babel_dates.format_time(time, pattern, locale=locale)


def clock(
    moment: datetime.datetime | None,
    tz: datetime.tzinfo | None = None,
    language: str | None = None,
    *,
    seconds: bool = False,
) -> str:
    """The time of day in the reader's zone, with the zone's name: `10:30 AM EST`, `10 h 30 HNE`
    (for a moment whose day is plain: a lock that ends within the hour, a slot under its day)."""
    if moment is None:
        return ""
    tz = _zone(tz)
    moment = _aware(moment)
    locale = babel_locale(language)
    width = "medium" if seconds else "short"
    pattern = _TIME_PATTERNS.get((locale, width), width)
    local = moment.astimezone(tz)
    of_day = datetime.time(local.hour, local.minute, local.second if seconds else 0)
    text = _time_text(of_day, pattern, locale)
    return f"{text} {zone_name(moment, tz, language)}"


def _calendar_day(
    value: datetime.date | datetime.datetime | str, tz: datetime.tzinfo | None
) -> datetime.date:
    if isinstance(value, str):  # an ISO date as events and payloads keep it
        value = datetime.date.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        return _aware(value).astimezone(_zone(tz)).date()
    return value


def day(
    value: datetime.date | datetime.datetime | str | None,
    tz: datetime.tzinfo | None = None,
    language: str | None = None,
) -> str:
    """A calendar date: `Dec 2, 2026`, `2 déc. 2026` (a moment is first put in the reader's zone; an
    ISO string `2026-12-02` is read as a date)."""
    if value is None or value == "":
        return ""
    return _date_text(_calendar_day(value, tz), "medium", babel_locale(language))


def long_day(
    value: datetime.date | datetime.datetime | str | None,
    tz: datetime.tzinfo | None = None,
    language: str | None = None,
) -> str:
    """A date with its day's name, where the day of the week matters (a delivery slot):
    `Wednesday, December 2, 2026`, `mercredi 2 décembre 2026`."""
    if value is None or value == "":
        return ""
    return babel_dates.format_date(_calendar_day(value, tz), "full", locale=babel_locale(language))
