"""Delivery windows: the hours, in a recipient's own time zone, when they may be told something.

A schedule maps weekday (0 = Monday) to a list of [start, end) spans in minutes after local midnight.
A span whose end is not after its start crosses midnight (22:00-06:00 is [1320, 360]). Start is
included, end excluded. The whole day is [0, 1440] ("00:00-24:00"), the only span that may end at
1440. Wall-clock times are converted with zoneinfo, so a window that opens at 09:00 opens at 09:00
local time on both sides of a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from django.utils import dates
from django.utils.translation import gettext as _

Schedule = Mapping[str, Sequence[Sequence[int]]]
DAY = 24 * 60
ALL_DAY = [0, DAY]
DEFAULT_SCHEDULE: dict[str, list[list[int]]] = {str(day): [[9 * 60, 21 * 60]] for day in range(7)}
# Names as the API and stored settings spell them; people read dates.WEEKDAYS (translated) instead.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})\s*$")


class WindowError(ValueError):
    pass


def default_schedule() -> dict[str, list[list[int]]]:
    """A fresh copy of 09:00-21:00 every day (model field default)."""
    return {day: [list(span) for span in spans] for day, spans in DEFAULT_SCHEDULE.items()}


def validator(value: object) -> None:
    """Model-field validator: a readable ValidationError for a bad schedule."""
    from django.core.exceptions import ValidationError

    try:
        validate(value)
    except WindowError as exc:
        raise ValidationError(str(exc)) from None


def validate(schedule: object) -> dict[str, list[list[int]]]:
    """Check a stored schedule; return it normalised. Raises WindowError naming the fault."""
    if not isinstance(schedule, Mapping):
        raise WindowError(_("A schedule maps weekdays 0-6 to lists of [start, end] minutes."))
    clean: dict[str, list[list[int]]] = {}
    for day, spans in schedule.items():
        if str(day) not in {str(d) for d in range(7)}:
            raise WindowError(_("%(day)r is not a weekday number 0 (Monday) to 6 (Sunday).") % {"day": day})
        if not isinstance(spans, Sequence) or isinstance(spans, str):
            raise WindowError(_("%(day)s: expected a list of spans.") % {"day": dates.WEEKDAYS[int(day)]})
        clean[str(day)] = []
        for span in spans:
            whole_day = isinstance(span, Sequence) and list(span) == ALL_DAY
            if not whole_day and (
                not isinstance(span, Sequence)
                or len(span) != 2
                or not all(isinstance(m, int) and 0 <= m < DAY for m in span)
                or span[0] == span[1]
            ):
                raise WindowError(
                    _("%(day)s: %(span)r is not a span of two different times.")
                    % {"day": dates.WEEKDAYS[int(day)], "span": span}
                )
            clean[str(day)].append([span[0], span[1]])
    return clean


def parse_spans(text: str) -> list[list[int]]:
    """'09:00-12:00, 14:00-21:00' -> [[540, 720], [840, 1260]]; '' -> [] (no delivery that day);
    '00:00-24:00' -> [[0, 1440]] (all day)."""
    spans: list[list[int]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _SPAN.match(part)
        if not match:
            raise WindowError(_("%(part)r is not a span such as 09:00-21:00.") % {"part": part})
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise WindowError(_("%(part)r has an impossible time.") % {"part": part})
        start, end = h1 * 60 + m1, (h2 * 60 + m2) % DAY
        if start == 0 and h2 == 24:
            spans.append(list(ALL_DAY))
            continue
        if start == end:
            raise WindowError(_("%(part)r is empty: start and end are the same.") % {"part": part})
        spans.append([start, end])
    return spans


def format_spans(spans: Sequence[Sequence[int]]) -> str:
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in spans)


def _local_intervals(schedule: Schedule, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The naive local [start, end) intervals that begin on `day`."""
    result = []
    midnight = dt.datetime.combine(day, dt.time())
    for start, end in schedule.get(str(day.weekday()), ()):
        length = DAY if [start, end] == ALL_DAY else (end - start) % DAY
        begin = midnight + dt.timedelta(minutes=start)
        result.append((begin, begin + dt.timedelta(minutes=length)))
    return result


def _aware(naive: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Local wall time -> UTC. A time the clocks skip (spring forward) moves forward by the gap
    (02:30 becomes 03:30), PEP 495's fold=0 reading; a repeated time takes its first occurrence."""
    return naive.replace(tzinfo=zone).astimezone(dt.UTC)


def next_open(at: dt.datetime, zone_name: str, schedule: Schedule | None) -> dt.datetime:
    """The first moment at or after `at` (aware) inside the schedule; `at` itself when inside.

    No schedule (None) means always open. An empty schedule (no spans on any day) is refused by
    the caller's validation; here it returns `at` rather than never delivering.
    """
    if schedule is None or not any(schedule.get(str(d)) for d in range(7)):
        return at
    zone = ZoneInfo(zone_name)
    local_day = at.astimezone(zone).date()
    best: dt.datetime | None = None
    # Spans begin at most one day before `at` (crossing midnight) and at most a week after.
    for offset in range(-1, 9):
        for begin, end in _local_intervals(schedule, local_day + dt.timedelta(days=offset)):
            start_utc, end_utc = _aware(begin, zone), _aware(end, zone)
            if start_utc <= at < end_utc:
                return at
            if start_utc > at and (best is None or start_utc < best):
                best = start_utc
        if best is not None and offset >= 1:
            return best
    assert best is not None
    return best


def describe(schedule: Schedule | None) -> str:
    """The schedule in words, in the active language."""
    if schedule is None:
        return _("any time")
    hours = [_day(schedule.get(str(d), [])) for d in range(7)]
    if len(set(hours)) == 1:
        return _("every day %(hours)s") % {"hours": hours[0]}
    return "; ".join(f"{dates.WEEKDAYS_ABBR[d]} {hours[d]}" for d in range(7))


def _day(spans: Sequence[Sequence[int]]) -> str:
    if [list(span) for span in spans] == [ALL_DAY]:
        return _("all day")
    return format_spans(spans) or _("none")
