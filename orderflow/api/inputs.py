"""Input field types shared by the API's request schemas.

Every rule the server applies to the shape of an input is declared here, so that the OpenAPI schema
states it and pydantic enforces exactly that: a request the schema allows never meets a shape refusal
further in, and one it forbids is a 422 before any action runs. (The actions still judge what only the
data can tell: whether a customer exists, whether an order may move.)

Text refuses NUL characters (PostgreSQL cannot store them) and lone surrogates (no database can encode
them), both a 422 here instead of a 500 deep in a query. Lone surrogates are not Unicode text, so a JSON
Schema string never holds one and no pattern needs to say so. Ids and numbers are bounded to what the
columns hold, for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise ValueError("must be valid Unicode (no lone surrogates)")
    return value


# The characters `str.strip()` removes (those for which `str.isspace()` is true), spelled out so that
# every regex engine reading the schema (ECMA in clients, Rust in pydantic and schemathesis, Python in
# hypothesis) agrees on them.
SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
ANY_TEXT = r"^[^\x00]*$"
# At least one character that is not white space: the actions strip text, and refuse it when blank.
NOT_BLANK = rf"^[^\x00]*[^\x00{SPACE}][^\x00]*$"


class Rules(GroupedMetadata):
    """Several pydantic annotations as one, so a field reads `Annotated[str, text(200)]`."""

    def __init__(self, *items: object) -> None:
        self.items = items

    def __iter__(self) -> Iterator[object]:
        return iter(self.items)


def text(max_length: int | None = None, *, required: bool = False, pattern: str | None = None) -> Rules:
    """Text of at most `max_length` characters (counted before the actions strip it, so never more
    than they allow); `required`: not blank; `pattern`: a stricter shape, which must exclude NUL."""
    assert pattern is None or not re.search(pattern, "\x00"), "a pattern must exclude NUL"
    chosen = pattern or (NOT_BLANK if required else ANY_TEXT)
    return Rules(Field(pattern=chosen, max_length=max_length), AfterValidator(_storable))


Text = Annotated[str, text()]


def one_of(values: Iterable[str]) -> Rules:
    """One of these strings, declared as an enum (e.g. the locales, time zones, channels)."""
    allowed = sorted(values)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed[:10])}{'…' if len(allowed) > 10 else ''}")
        return value

    return Rules(AfterValidator(check), WithJsonSchema({"type": "string", "enum": allowed}))


def fullmatch(pattern: str, message: str) -> Rules:
    """A pattern that Python's `re` checks, for the patterns pydantic's own engine cannot run
    (look-aheads, back-references); declared in the schema as it is."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(message)
        return value

    return Rules(AfterValidator(check), WithJsonSchema({"type": "string", "pattern": pattern}))


# What the lists return as `next`: URL-safe base64 without padding (api.pagination).
CURSOR = r"^[A-Za-z0-9_-]+$"


# Order numbers are PositiveIntegerField (a 32-bit integer on PostgreSQL); row ids are 64-bit.
OrderNumber = Annotated[int, Field(ge=1, le=2_147_483_647)]
RowId = Annotated[int, Field(ge=1, le=9_223_372_036_854_775_807)]


def decimal(*, places: int, below: int, positive: bool, at_most: int | None = None) -> Rules:
    """A decimal as a JSON number or a string ("12.50"), with at most `places` digits after the point,
    under `below`, and more than 0 (`positive`) or at least 0. These are the bounds the actions check
    (`orders.actions.common._decimal`), declared: as `multipleOf` for numbers, a pattern for strings
    (plain digits: no sign, exponent, spaces or underscores, which pydantic would otherwise read).
    `at_most`: a power of ten that is the largest value allowed (a quantity of 1,000,000)."""
    integer_digits = len(str(below)) - 1
    step = Decimal(1).scaleb(-places)
    digits = rf"^[0-9]{{1,{integer_digits}}}(\.[0-9]{{1,{places}}})?$"
    if at_most is not None:
        assert str(at_most).rstrip("0") == "1", "at_most is a power of ten"
        integer_digits = len(str(at_most)) - 1
        digits = rf"^([0-9]{{1,{integer_digits}}}(\.[0-9]{{1,{places}}})?|{at_most}(\.0{{1,{places}}})?)$"
    # Some digit that is not 0: more than 0.
    nonzero = r"^[0.]*[1-9][0-9.]*$"
    patterns = [digits, nonzero] if positive else [digits]

    def plain(value: object) -> object:
        if isinstance(value, bool) or (
            isinstance(value, str) and not all(re.fullmatch(p, value) for p in patterns)
        ):
            raise ValueError(f'must be a number with at most {places} decimal places, e.g. "12.5"')
        return value

    maximum = float(at_most) if at_most is not None else float(below - step)
    number: dict[str, Any] = {"type": "number", "multipleOf": float(step), "maximum": maximum}
    number["exclusiveMinimum" if positive else "minimum"] = 0
    string: dict[str, Any] = {"type": "string", "pattern": digits}
    if positive:
        string["allOf"] = [{"pattern": nonzero}]
    bounds = Field(
        max_digits=integer_digits + places + (1 if at_most is not None else 0),
        decimal_places=places,
        lt=None if at_most is not None else Decimal(below),
        le=Decimal(at_most) if at_most is not None else None,
        gt=Decimal(0) if positive else None,
        ge=None if positive else Decimal(0),
    )
    return Rules(BeforeValidator(plain), bounds, WithJsonSchema({"anyOf": [number, string]}))


# Amounts in whole cents under 10 billion, quantities in thousandths up to a million (the columns hold
# 12 digits; orders.actions.placing), refunds the same as prices.
Quantity = Annotated[Decimal, decimal(places=3, below=10**9, positive=True, at_most=10**6)]
Price = Annotated[Decimal, decimal(places=2, below=10**10, positive=False)]
Amount = Annotated[Decimal, decimal(places=2, below=10**10, positive=True)]
