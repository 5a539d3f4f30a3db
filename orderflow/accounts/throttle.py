"""Login throttling with django-axes, with two limits instead of its one.

Axes records each failed sign-in (per username, address and browser) and refuses a try when the
failures it counts reach AXES_FAILURE_LIMIT. Its lockout parameters here are, in this order, the
account at one address and the address alone (settings.AXES_LOCKOUT_PARAMETERS); `LoginThrottle` counts
both and reports an address past LOGIN_ADDRESS_FAILURE_LIMIT as having reached the account's limit, so
one address trying many accounts is stopped too, without locking an account out for everyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone


def username_key(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The username a try was for, as axes records it: `Olivia ` and `olivia` count as one account."""
    source: Any = credentials if credentials else getattr(request, "POST", {})
    value = str(source.get("username") or "").strip().lower()
    return value[:255] or None


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginThrottle(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        account_here, address = self.get_user_attempts(request, credentials)
        if _failures(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return int(settings.AXES_FAILURE_LIMIT)
        return _failures(account_here)


def cooloff() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def locked_until(username: str) -> dt.datetime | None:
    """When the latest lockout of this account (at any address) ends; None when it is not locked out."""
    key = username_key(None, {"username": username})
    since = timezone.now() - cooloff()
    per_address = (
        AccessAttempt.objects.filter(username=key, attempt_time__gte=since)
        .values("ip_address")
        .annotate(total=Sum("failures_since_start"))
        .filter(total__gte=settings.LOGIN_FAILURE_LIMIT)
    )
    latest = (
        AccessAttempt.objects.filter(
            username=key, attempt_time__gte=since, ip_address__in=per_address.values("ip_address")
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return latest + cooloff() if latest is not None else None


def forget_failures(username: str) -> int:
    """Clear the failures recorded for this account (at every address): its lockout ends now."""
    key = username_key(None, {"username": username})
    return int(reset(username=key))
