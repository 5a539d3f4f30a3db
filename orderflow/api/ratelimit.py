"""Requests per token per window (settings.API_RATE_LIMIT per API_RATE_WINDOW_SECONDS), counted in
Django's cache.

A fixed window: cheap (one `add` and one `incr`) and good enough to stop a runaway client; a client
may send up to twice the limit across a window boundary. The default cache (LocMemCache) counts per
process: with several web processes set CACHE_URL to a shared cache (Redis) so the limit holds
across them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from orderflow.api.errors import ApiError
from orderflow.integrations.models import ApiToken


@dataclass(frozen=True)
class Quota:
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


def take(token: ApiToken, *, now: float | None = None) -> Quota:
    """Count one request for the token; raise ApiError 429 (with Retry-After) past the limit."""
    limit: int = settings.API_RATE_LIMIT
    window: int = settings.API_RATE_WINDOW_SECONDS
    now = time.time() if now is None else now
    start = int(now // window) * window
    # Keyed by the token's hash, not its id: ids are reused (a restored database), hashes are not.
    key = f"orderflow:api-rate:{token.token_hash[:32]}:{window}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        count = 1
    reset = max(1, math.ceil(start + window - now))
    quota = Quota(limit=limit, remaining=max(0, limit - count), reset_seconds=reset)
    if count > limit:
        raise ApiError(
            429,
            "rate_limited",
            _(
                "Too many requests: at most %(limit)s per %(window)s seconds per token. "
                "Retry after %(reset)s s."
            )
            % {"limit": limit, "window": window, "reset": reset},
            details={"limit": limit, "window_seconds": window, "retry_after": reset},
            headers={"Retry-After": str(reset), **quota.headers()},
        )
    return quota
