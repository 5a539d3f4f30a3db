"""Input field types shared by the API's request schemas.

Text refuses NUL characters and lone surrogates: PostgreSQL cannot store the first and no database
can encode the second, so both are a 422 here instead of a 500 deep in a query. Ids and numbers are
bounded to what the columns hold, for the same reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise ValueError("must be valid Unicode (no lone surrogates)")
    return value


Text = Annotated[str, AfterValidator(_storable)]
# Order numbers are PositiveIntegerField (a 32-bit integer on PostgreSQL); row ids are 64-bit.
OrderNumber = Annotated[int, Field(ge=1, le=2_147_483_647)]
RowId = Annotated[int, Field(ge=1, le=9_223_372_036_854_775_807)]

# Decimals bounded so that no action meets one too large to quantize; amounts are in whole cents.
Quantity = Annotated[Decimal, Field(max_digits=15, decimal_places=3)]
Money = Annotated[Decimal, Field(max_digits=15, decimal_places=2)]
