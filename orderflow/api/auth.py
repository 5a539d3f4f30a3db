"""Who a request acts for: the seller of its bearer token, and the actor its writes are recorded as.

A token belongs to one seller; every query of every endpoint is scoped by that seller, so another
seller's objects answer 404 exactly like objects that do not exist.

The actor: a token created by a staff member acts *as that member* while their membership at the seller
is active (their role decides what they may do, as on the pages), named "Olivia via API (ERP sync)" in
the activity log. Workflows let only staff make most moves, so an actor with staff rights is what an
integration needs; and a token can never do more than the person who made it. A token without a
creator (made with `manage.py create_api_token`), or whose creator has left, acts as the system,
named "API token ERP sync": it may do what workflows allow the system, and the staff-side changes
actions allow the system (assign, estimate, cancel, refund, archive, notes, webhooks), but not moves
that workflows reserve for staff (those answer 403 "not_permitted").
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from orderflow.accounts.models import Membership, Seller
from orderflow.api.errors import ApiError
from orderflow.core.actors import Actor
from orderflow.integrations.actions import hash_token
from orderflow.integrations.models import ApiToken

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_used_at is written at most this often per token (a write per request would serialise them).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiContext:
    """The token, its seller, and the actor its writes act as. The actor is resolved (a query for the
    creator's membership) only when an endpoint asks for it: a list never does."""

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.seller: Seller = token.seller

    @functools.cached_property
    def actor(self) -> Actor:
        return _actor(self.token)


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
            "Send a valid API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="orderflow"'},
        )
    if request.method not in SAFE_METHODS and not token.can_write:
        raise ApiError(403, "read_only_token", "This token may only read; writing needs a read_write token.")
    _touch(token)
    context = ApiContext(token)
    request.api_context = context  # type: ignore[attr-defined]
    return context


def find_token(raw: str) -> ApiToken | None:
    """The live token whose secret is `raw`, with its seller: one query on the unique hash."""
    if not raw:
        return None
    tokens = ApiToken.objects.select_related("seller")
    found = list(tokens.filter(token_hash=hash_token(raw), revoked_at__isnull=True)[:1])
    return found[0] if found else None


def check_scope(request: HttpRequest, context: ApiContext) -> None:
    """A read token may only GET (403 otherwise)."""
    if request.method not in SAFE_METHODS and not context.token.can_write:
        raise ApiError(403, "read_only_token", "This token may only read; writing needs a read_write token.")


def _bearer(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return ""
    value = value.strip()
    # Tokens are short URL-safe text; anything else cannot match and is not worth hashing.
    return value if 0 < len(value) <= 200 and value.isascii() else ""


def _actor(token: ApiToken) -> Actor:
    membership = (
        Membership.objects.select_related("user")
        .filter(seller_id=token.seller_id, user_id=token.created_by_id, is_active=True)
        .first()
        if token.created_by_id is not None
        else None
    )
    if membership is None:
        return Actor.system(f"API token {token.name}")
    return Actor(
        kind="staff",
        membership=membership,
        name=f"{membership.display_name} via API ({token.name})",
    )


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so concurrent requests of several processes write it once.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now


class BearerToken(HttpBearer):
    """Documents the bearer scheme in OpenAPI and hands ninja the context the guard resolved."""

    def __call__(self, request: HttpRequest) -> Any:
        return getattr(request, "api_context", None)

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - see __call__
        return getattr(request, "api_context", None)
