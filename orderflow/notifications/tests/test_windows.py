from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow.notifications.windows import (
    DEFAULT_SCHEDULE,
    WindowError,
    describe,
    next_open,
    parse_spans,
    validate,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def local(zone, *args):
    return dt.datetime(*args, tzinfo=zone)


def test_a_change_at_half_past_ten_at_night_is_delivered_at_nine_next_morning():
    at = local(PARIS, 2026, 6, 10, 22, 30)
    assert next_open(at, "Europe/Paris", DEFAULT_SCHEDULE) == local(PARIS, 2026, 6, 11, 9, 0)


def test_the_start_of_a_window_is_inside_and_its_end_is_outside():
    assert next_open(local(PARIS, 2026, 6, 10, 9, 0), "Europe/Paris", DEFAULT_SCHEDULE) == local(
        PARIS, 2026, 6, 10, 9, 0
    )
    assert next_open(local(PARIS, 2026, 6, 10, 21, 0), "Europe/Paris", DEFAULT_SCHEDULE) == local(
        PARIS, 2026, 6, 11, 9, 0
    )


def test_a_window_may_cross_midnight():
    nights = {str(day): parse_spans("22:00-06:00") for day in range(7)}
    assert next_open(local(PARIS, 2026, 6, 10, 23, 0), "Europe/Paris", nights) == local(
        PARIS, 2026, 6, 10, 23, 0
    )
    assert next_open(local(PARIS, 2026, 6, 11, 5, 59), "Europe/Paris", nights) == local(
        PARIS, 2026, 6, 11, 5, 59
    )
    assert next_open(local(PARIS, 2026, 6, 11, 6, 0), "Europe/Paris", nights) == local(
        PARIS, 2026, 6, 11, 22, 0
    )


def test_weekdays_only_skips_the_weekend():
    weekdays = {str(day): parse_spans("09:00-17:00") for day in range(5)}
    friday_evening = local(NEW_YORK, 2026, 11, 20, 18, 0)
    assert next_open(friday_evening, "America/New_York", weekdays) == local(NEW_YORK, 2026, 11, 23, 9, 0)


def test_the_window_opens_at_nine_local_time_across_the_spring_daylight_saving_change():
    # New York springs forward on 2026-03-08: 09:00 is 14:00 UTC the day before, 13:00 UTC that day.
    late = local(NEW_YORK, 2026, 3, 7, 22, 30)
    opened = next_open(late, "America/New_York", DEFAULT_SCHEDULE)
    assert opened == dt.datetime(2026, 3, 8, 13, 0, tzinfo=dt.UTC)
    assert opened.astimezone(NEW_YORK).hour == 9


def test_the_window_opens_at_nine_local_time_across_the_autumn_change():
    late = local(PARIS, 2026, 10, 24, 23, 0)
    assert next_open(late, "Europe/Paris", DEFAULT_SCHEDULE) == dt.datetime(2026, 10, 25, 8, 0, tzinfo=dt.UTC)


def test_a_window_starting_in_the_skipped_hour_opens_when_the_clock_resumes():
    early = {str(day): parse_spans("02:30-05:00") for day in range(7)}
    opened = next_open(local(NEW_YORK, 2026, 3, 8, 0, 0), "America/New_York", early)
    assert opened.astimezone(NEW_YORK).replace(tzinfo=None) == dt.datetime(2026, 3, 8, 3, 30)


def test_no_schedule_means_any_time():
    at = local(PARIS, 2026, 6, 10, 3, 0)
    assert next_open(at, "Europe/Paris", None) == at


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9-21", "is not a span"),
        ("25:00-26:00", "impossible"),
        ("09:00-09:00", "is empty"),
        ("09:61-10:00", "impossible"),
    ],
)
def test_bad_spans_are_refused_with_the_reason(text, message):
    with pytest.raises(WindowError, match=message):
        parse_spans(text)


def test_bad_stored_schedules_are_refused():
    with pytest.raises(WindowError, match="weekday number"):
        validate({"8": [[1, 2]]})
    with pytest.raises(WindowError, match="Monday"):
        validate({"0": [[600, 600]]})


def test_schedules_are_described_for_people():
    assert describe(DEFAULT_SCHEDULE) == "every day 09:00-21:00"
    assert describe(None) == "any time"


schedules = st.dictionaries(
    st.sampled_from([str(d) for d in range(7)]),
    st.lists(st.tuples(st.integers(0, 1439), st.integers(0, 1439)).filter(lambda s: s[0] != s[1]).map(list),
             min_size=1, max_size=3),
    min_size=1,
)  # fmt: skip


@given(
    schedule=schedules,
    at=st.datetimes(
        min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 1, 1), timezones=st.just(dt.UTC)
    ),
    zone=st.sampled_from(["Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]),
)
def test_the_next_opening_is_never_earlier_and_always_inside_a_window(schedule, at, zone):
    opened = next_open(at, zone, schedule)
    assert opened >= at
    assert opened - at <= dt.timedelta(days=8)
    assert next_open(opened, zone, schedule) == opened
