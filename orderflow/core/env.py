"""Small typed readers of the environment that reject bad values instead of guessing."""

from __future__ import annotations

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_header(name: str) -> tuple[str, str] | None:
    """A request header and the value that marks it, as Django's META has it: "X-Forwarded-Proto: https"
    gives ("HTTP_X_FORWARDED_PROTO", "https"). Unset or empty: None."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    header, sep, value = raw.partition(":")
    header, value = header.strip(), value.strip()
    if not sep or not value or not re.fullmatch(r"[A-Za-z0-9-]+", header):
        raise ImproperlyConfigured(f'{name} must look like "X-Forwarded-Proto: https", not {raw!r}')
    return "HTTP_" + header.upper().replace("-", "_"), value


def email_settings(url: str) -> dict[str, object]:
    """Django email settings from one URL.

    smtp://user:password@host:587?tls=true, smtps://host:465 (implicit TLS), console://, memory://,
    or a backend's dotted path after backend:// (e.g. backend://anymail.backends.postmark.EmailBackend).
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "backend":
        return {"EMAIL_BACKEND": parts.netloc + parts.path}
    if scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp://, smtps://, console://, memory:// or backend://"
        )
    query = parse_qs(parts.query)
    try:
        port = parts.port or (465 if scheme == "smtps" else 25)
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has an invalid port") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", ["false"])[0].lower() in _TRUE,
        "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
    }
