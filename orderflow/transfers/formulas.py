"""Text a spreadsheet would run as a formula (OWASP "CSV injection"): `=`, `+`, `-`, `@`, tab or CR
first. Every file Orderflow writes from what people typed passes its cells through `defuse`."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
