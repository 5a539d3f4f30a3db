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
