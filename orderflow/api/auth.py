"""Who a request acts for: the seller of its bearer token, and the member it acts as.

A token belongs to one seller; every query of every endpoint is scoped by that seller, so another
seller's objects answer 404 exactly like objects that do not exist.

A token belongs to one staff member of that seller and acts as them (`Actor` of kind "staff" with their
membership), with their role as it is at this request, named "Olivia via API (ERP sync)" in the activity
log: a token never does more than its member may on the pages. Whether the member is still active staff
is read with the token itself, on every request, so a token stops the moment its member is deactivated
or removed (401 `token_inactive`, with `details.reason`); a demoted member's token acts with the lower
role (403 on what that role may not do). There is no token that acts as "the system".
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from orderflow.accounts.models import Membership, Seller
from orderflow.api.errors import ApiError
from orderflow.core.actors import Actor
from orderflow.integrations import selectors
from orderflow.integrations.actions import hash_token
from orderflow.integrations.models import ApiToken, TokenState

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_used_at is written at most this often per token (a write per request would serialise them).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiContext:
    """The token, its seller, and the member its requests act as (all loaded with the token)."""

    def __init__(self, token: ApiToken, member: Membership) -> None:
        self.token = token
        self.seller: Seller = token.seller
        self.actor = Actor(
            kind="staff", membership=member, name=f"{member.display_name} via API ({token.name})"
        )


def context_of(request: HttpRequest) -> ApiContext:
    """The context `authenticate` attached; endpoints call this (auth always ran before them)."""
    context = getattr(request, "api_context", None)
    assert isinstance(context, ApiContext), "the API guard authenticates every request first"
    return context


def authenticate(request: HttpRequest) -> ApiContext:
    """Resolve the bearer token (once per request) or raise ApiError 401."""
    cached = getattr(request, "api_context", None)
    if isinstance(cached, ApiContext):
        return cached
    token = find_token(_bearer(request))
    if token is None:
        raise ApiError(
            401,
            "unauthorized",
            _("Send a valid API token as 'Authorization: Bearer <token>'."),
            headers={"WWW-Authenticate": 'Bearer realm="orderflow"'},
        )
    state = token.state
    if state != TokenState.ACTIVE or token.membership is None:
        raise ApiError(
            401,
            "token_inactive",
            _("This token no longer works (%(reason)s); ask an owner or manager for a new one.")
            % {"reason": state.label},
            details={"reason": state.value},
            headers={"WWW-Authenticate": 'Bearer realm="orderflow", error="invalid_token"'},
        )
    if request.method not in SAFE_METHODS and not token.can_write:
        raise ApiError(
            403, "read_only_token", _("This token may only read; writing needs a read_write token.")
        )
    _touch(token, _client_address(request))
    context = ApiContext(token, token.membership)
    request.api_context = context  # type: ignore[attr-defined]
    return context


def find_token(raw: str) -> ApiToken | None:
    """The token whose secret is `raw`, working or not, with its seller and member: one query on the
    unique hash."""
    if not raw:
        return None
    return selectors.token_by_hash(hash_token(raw))


def check_scope(request: HttpRequest, context: ApiContext) -> None:
    """A read token may only GET (403 otherwise)."""
    if request.method not in SAFE_METHODS and not context.token.can_write:
        raise ApiError(
            403, "read_only_token", _("This token may only read; writing needs a read_write token.")
        )


def _bearer(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return ""
    value = value.strip()
    # Tokens are short URL-safe text; anything else cannot match and is not worth hashing.
    return value if 0 < len(value) <= 200 and value.isascii() else ""


def _client_address(request: HttpRequest) -> str | None:
    """The address the request came from, as the web server saw it (behind a proxy: the proxy's)."""
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _touch(token: ApiToken, address: str | None) -> None:
    """Record when and from where the token was used, at most once a minute per token."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so concurrent requests of several processes write it once.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now, last_used_from=address)
    token.last_used_at = now
    token.last_used_from = address


class BearerToken(HttpBearer):
    """Documents the bearer scheme in OpenAPI and hands ninja the context the guard resolved."""

    def __call__(self, request: HttpRequest) -> Any:
        return getattr(request, "api_context", None)

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - see __call__
        return getattr(request, "api_context", None)
