"""Model instances read with hand-written SQL, for the few reads on the hot path of every order change.

Compiling a queryset costs several times more CPU than running its statement (bench/README.md: about
0.4 to 0.6 ms of an order change's ~5 ms went to each of emit's small reads). `rows` builds the SELECT of a
model's columns once per model and lets `raw()` make the instances, with every field's database
converters applied as a queryset would. The WHERE clause is the caller's, with %s placeholders only;
it must be valid on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


@cache
def _select(model: type[Model]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in model._meta.concrete_fields)
    return f"SELECT {columns} FROM {quote(model._meta.db_table)}"


def rows(model: type[M], where: str, params: Sequence[Any], *, order_by: str = "id") -> list[M]:
    """The instances of `model` matching `where` (columns named as in the table), in `order_by` order."""
    sql = f"{_select(model)} WHERE {where}" + (f" ORDER BY {order_by}" if order_by else "")
    return list(model._default_manager.raw(sql, list(params)))


def marks(values: Sequence[Any]) -> str:
    """Placeholders for an IN list (never empty: callers check)."""
    return ", ".join(["%s"] * len(values))
