"""Login throttling with django-axes, with two limits instead of its one.

Axes records each failed sign-in (per username, address and browser) and refuses a try when the
failures it counts reach AXES_FAILURE_LIMIT. Its lockout parameters here are, in this order, the
account at one address and the address alone (settings.AXES_LOCKOUT_PARAMETERS); `LoginThrottle` counts
both and reports an address past LOGIN_ADDRESS_FAILURE_LIMIT as having reached the account's limit, so
one address trying many accounts is stopped too, without locking an account out for everyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
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


def locked_until(usernames: Iterable[str]) -> dict[str, dt.datetime]:
    """For each of these accounts that is locked out at some address, when its latest lockout ends."""
    keys = {username_key(None, {"username": name}): name for name in usernames}
    locked = (
        AccessAttempt.objects.filter(
            username__in=[k for k in keys if k], attempt_time__gte=timezone.now() - cooloff()
        )
        .values("username", "ip_address")
        .annotate(total=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(total__gte=settings.LOGIN_FAILURE_LIMIT)
    )
    ends: dict[str, dt.datetime] = {}
    for row in locked:
        name = keys[row["username"]]
        ends[name] = max(ends.get(name, row["last"]), row["last"])
    return {name: last + cooloff() for name, last in ends.items()}


def forget_failures(username: str) -> int:
    """Clear the failures recorded for this account (at every address): its lockout ends now."""
    key = username_key(None, {"username": username})
    return int(reset(username=key))
