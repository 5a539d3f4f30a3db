"""Cursor pagination: a page is "the rows after this one, in this sort", never an offset.

A cursor is opaque to clients (URL-safe base64 of JSON): the sort it was made for and the sort key of
the last row returned. Rows inserted while a client walks the list never make a row appear twice, and
no row is skipped. (A row whose sort value *changes* meanwhile, e.g. an order with new activity in a
walk by last activity, moves: it may then be seen again at its new place or not at all. A walk sorted
by `submitted` is stable.)
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any, TypeVar

from django.db.models import Q
from django.utils.translation import gettext as _

from orderflow.api.errors import ApiError

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def encode(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), default=_json_default).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, *, sort: str) -> dict[str, Any]:
    """The cursor's payload; 400 for anything that is not a cursor this list made for this sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        payload = None
    if not isinstance(payload, dict) or payload.get("sort") != sort:
        raise ApiError(
            400,
            "invalid_cursor",
            _("This cursor is not one this list returned for this sort; start again without a cursor."),
            details={"field": "cursor"},
        )
    return payload


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


def after(
    field: str, value: Any, *, descending: bool, nullable: bool, tiebreak: str, tiebreak_value: Any
) -> Q:
    """Rows after (value, tiebreak_value) in `field` (nulls last, either direction), then `tiebreak`
    descending: the ordering of `orders.selectors.order_list`.

    The condition starts with a plain bound on `field` (`field <= value` when descending) so that the
    database can start an index scan at the cursor instead of filtering every row before it."""
    if value is None:
        return Q(**{f"{field}__isnull": True, f"{tiebreak}__lt": tiebreak_value})  # only nulls follow
    bound = Q(**{f"{field}__lte" if descending else f"{field}__gte": value})
    beyond = Q(**{f"{field}__lt" if descending else f"{field}__gt": value})
    following = bound & (beyond | Q(**{f"{tiebreak}__lt": tiebreak_value}))
    return following | Q(**{f"{field}__isnull": True}) if nullable else following


def cursor_value(payload: dict[str, Any], key: str, kind: type) -> Any:
    """Read one typed value back out of a decoded cursor (400 when it is not that type)."""
    raw = payload.get(key)
    try:
        if raw is None:
            return None
        if kind is dt.datetime:
            parsed = dt.datetime.fromisoformat(raw)
            if parsed.tzinfo is None:
                raise ValueError("naive")
            return parsed
        if kind is dt.date:
            return dt.date.fromisoformat(raw)
        if kind is int and isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw < 2**63:
            return raw
        if kind is str and isinstance(raw, str):
            return raw
    except (TypeError, ValueError):
        pass
    raise ApiError(400, "invalid_cursor", _("This cursor is damaged; start again without a cursor."))


def cut(rows: list[T], limit: int) -> tuple[list[T], T | None]:
    """A page from `limit + 1` rows read: the first `limit`, and the last of those when more follow
    (what the next cursor is made from), else None."""
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1]
    return rows, None
