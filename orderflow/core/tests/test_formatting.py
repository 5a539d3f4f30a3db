import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from orderflow.core import formatting

NOON_UTC = datetime.datetime(2026, 12, 2, 15, 30, tzinfo=datetime.UTC)
TORONTO = zoneinfo.ZoneInfo("America/Toronto")


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("en", "CAD", "CA$7.25"),
        ("fr", "CAD", "7,25\xa0$\xa0CA"),
        ("en", "USD", "$1,234.50"),
        ("fr", "USD", "1\xa0234,50\xa0$\xa0US"),
        ("fr", "EUR", "7,25\xa0€"),
    ],
)
def test_money_is_written_the_readers_way(language, currency, expected):
    amount = Decimal("7.25") if expected.startswith(("CA", "7")) else Decimal("1234.5")
    assert formatting.money(amount, currency, language) == expected


def test_no_amount_is_an_empty_string():
    assert formatting.money(None, "CAD", "fr") == ""


def test_a_moment_is_shown_in_the_readers_zone_with_its_name():
    assert formatting.when(NOON_UTC, TORONTO, "en") == "Dec 2, 2026, 10:30\u202fAM EST"
    assert formatting.when(NOON_UTC, TORONTO, "fr") == "2 déc. 2026, 10 h 30 HNE"
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert formatting.when(NOON_UTC, paris, "fr").endswith("16 h 30 CET")
    dubai = zoneinfo.ZoneInfo("Asia/Dubai")  # no name but its offset
    assert formatting.when(NOON_UTC, dubai, "en").endswith("7:30\u202fPM UTC+04:00")


def test_a_day_is_the_readers_calendar_day():
    late = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)  # still Dec 2 in Toronto
    assert formatting.day(late, TORONTO, "en") == "Dec 2, 2026"
    assert formatting.day(datetime.date(2026, 1, 5), None, "fr") == "5 janv. 2026"


def test_filters_follow_the_active_language_and_zone():
    template = Template(
        "{% load formatting %}{{ amount|money:'CAD' }} | {{ moment|when }} | {{ moment|day }}"
    )
    with translation.override("fr"), timezone.override(TORONTO):
        text = template.render(Context({"amount": Decimal("7.25"), "moment": NOON_UTC}))
    assert text == "7,25\xa0$\xa0CA | 2 déc. 2026, 10 h 30 HNE | 2 déc. 2026"


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", Decimal("2.000"), "2"),
        ("fr", Decimal("1.500"), "1,5"),
        ("en", Decimal("1234.5"), "1,234.5"),
        ("fr", "1234.125", "1\xa0234,125"),
    ],
)
def test_a_quantity_is_a_plain_number_in_the_readers_way(language, value, expected):
    assert formatting.number(value, language) == expected


def test_a_tax_rate_is_a_percentage_the_readers_way():
    assert formatting.percent(Decimal("14.975"), "en") == "14.975%"
    assert formatting.percent(Decimal("5.000"), "fr") == "5\xa0%"
    assert formatting.percent(None, "fr") == ""


def test_a_currency_alone_is_written_as_the_reader_knows_it():
    assert formatting.currency_sign("CAD", "en") == "CA$"
    assert formatting.currency_sign("CAD", "fr") == "$\xa0CA"
    assert formatting.currency_sign("usd", "en") == "$"


def test_a_time_of_day_carries_its_zone_and_french_hours_have_no_leading_zero():
    morning = datetime.datetime(2026, 12, 2, 14, 5, 9, tzinfo=datetime.UTC)
    assert formatting.clock(morning, TORONTO, "en") == "9:05\u202fAM EST"
    assert formatting.clock(morning, TORONTO, "fr") == "9 h 05 HNE"
    assert formatting.when(morning, TORONTO, "en", seconds=True) == "Dec 2, 2026, 9:05:09\u202fAM EST"


def test_an_appointment_names_its_day():
    assert (
        formatting.when(NOON_UTC, TORONTO, "en", weekday=True)
        == "Wednesday, December 2, 2026, 10:30\u202fAM EST"
    )
    assert formatting.when(NOON_UTC, TORONTO, "fr", weekday=True) == "mercredi 2 décembre 2026, 10 h 30 HNE"
    assert formatting.long_day("2026-12-05", None, "fr") == "samedi 5 décembre 2026"


def test_an_iso_date_from_an_event_is_read_as_a_date():
    assert formatting.day("2026-12-05", None, "fr") == "5 déc. 2026"
    assert formatting.day("", None, "fr") == ""


def test_more_filters_follow_the_active_language_and_zone():
    template = Template(
        "{% load formatting %}{{ moment|clock }} | {{ moment|when:'weekday' }} | {{ qty|number }} | "
        "{{ rate|percent }} | {{ moment|when_in:'Europe/Paris' }}"
    )
    with translation.override("fr"), timezone.override(TORONTO):
        text = template.render(
            Context({"moment": NOON_UTC, "qty": Decimal("2.000"), "rate": Decimal("14.975")})
        )
    assert text == (
        "10 h 30 HNE | mercredi 2 décembre 2026, 10 h 30 HNE | 2 | 14,975\xa0% | 2 déc. 2026, 16 h 30 CET"
    )


@pytest.mark.parametrize(
    ("typed", "language", "plain"),
    [
        ("7,25", "fr", "7.25"),
        ("7.25", "fr", "7.25"),
        ("1 234,50", "fr", "1234.50"),
        ("1\u202f234,50", "fr", "1234.50"),
        ("1\u00a0234", "fr", "1234"),
        ("7.25", "en", "7.25"),
        ("1,234.50", "en", "1234.50"),
        ("12,345", "en", "12345"),
        ("7,25", "en", "7.25"),
        (" 3 ", "en", "3"),
        ("1,2,3", "fr", "1,2,3"),
        ("douze", "fr", "douze"),
        ("", "fr", ""),
    ],
)
def test_a_number_is_read_as_its_reader_writes_it(typed, language, plain):
    assert formatting.typed_number(typed, language) == plain
