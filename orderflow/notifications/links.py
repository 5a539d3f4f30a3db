"""Signed links that let a person act without logging in: track, preferences, rate, delivery time,
unsubscribe. Each purpose has its own salt, so a link made for one cannot be used for another."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing

PURPOSES = {
    "track": ("t", 180),
    "prefs": ("p", 365),
    "rate": ("f", 60),
    "delivery": ("d", 30),
    "unsubscribe": ("u", 365),
}


class BadLink(Exception):
    """The link is damaged, made for something else, or too old."""


def token(purpose: str, **ids: int | None) -> str:
    return signing.dumps(
        {k: v for k, v in ids.items() if v is not None}, salt=f"orderflow.{purpose}", compress=True
    )


def url(purpose: str, **ids: int | None) -> str:
    prefix, _ = PURPOSES[purpose]
    return f"{settings.SITE_URL}/{prefix}/{token(purpose, **ids)}/"


def read(purpose: str, value: str) -> dict[str, Any]:
    _, days = PURPOSES[purpose]
    try:
        data = signing.loads(value, salt=f"orderflow.{purpose}", max_age=days * 86400)
    except signing.SignatureExpired:
        raise BadLink("This link has expired. Ask for a new one.") from None
    except signing.BadSignature:
        raise BadLink("This link is not valid. Check that it was copied whole.") from None
    if not isinstance(data, dict):
        raise BadLink("This link is not valid.")
    return data
