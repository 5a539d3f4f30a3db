"""Creating and revoking API tokens; adding, removing and redelivering webhook endpoints."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.accounts.models import Membership, Role, Seller
from orderflow.core import outbound
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.integrations.models import WEBHOOK_EVENT_TYPES, ApiToken, TokenState, WebhookEndpoint
from orderflow.integrations.webhooks import endpoint_label
from orderflow.notifications.models import Channel, Delivery, Status

TOKEN_PREFIX = "of_"


def _check_manager(seller_id: int, actor: Actor) -> None:
    if actor.kind == "system":
        return
    membership = actor.membership
    if (
        actor.kind != "staff"
        or membership is None
        or membership.seller_id != seller_id
        or not membership.is_active
        or membership.role not in (Role.OWNER, Role.MANAGER)
    ):
        raise Forbidden("forbidden", _("Only an owner or manager can manage integrations."))


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(
    seller: Seller, *, name: str, scope: str, actor: Actor, member: Membership | None = None
) -> tuple[ApiToken, str]:
    """Returns the token and its secret value, which is shown once and never stored.

    The token acts as `member` (by default the actor), with the member's role as it is at each request,
    and stops when they stop being active staff of the seller. An owner or manager makes tokens for
    themself only: a token for someone else would let one person write in another's name. The system
    (`manage.py create_api_token`, run by whoever runs the server) makes them for any active member."""
    _check_manager(seller.pk, actor)
    if member is None:
        if actor.membership is None:
            raise ActionError("member_required", _("Name the staff member the token acts as."))
        member = actor.membership
    elif actor.kind == "staff" and (actor.membership is None or member.pk != actor.membership.pk):
        raise Forbidden("forbidden", _("You can create tokens that act as yourself only."))
    if member.seller_id != seller.pk or not member.is_active or not member.user.is_active:
        raise ActionError(
            "not_an_active_member",
            _("%(name)s is not active staff of %(seller)s, so no token can act as them.")
            % {"name": member.display_name, "seller": seller.name},
        )
    name = name.strip()
    if not name or len(name) > 100:
        raise ActionError(
            "invalid", _("Name the token (1 to 100 characters), e.g. after the system using it.")
        )
    if scope not in ApiToken.Scope.values:
        raise ActionError(
            "invalid", _("Scope must be one of %(values)s.") % {"values": ", ".join(ApiToken.Scope.values)}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        seller=seller,
        membership=member,
        name=name,
        prefix=raw[:10],
        token_hash=hash_token(raw),
        scope=scope,
        created_by=actor.membership.user if actor.membership else None,
    )
    return token, raw


def revoke_api_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    _check_manager(token.seller_id, actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_reason = TokenState.REVOKED
        token.save(update_fields=["revoked_at", "revoked_reason"])
    return token


MAX_URL = 1000
MAX_DESCRIPTION = 200


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ActionError("invalid", _("The endpoint must be an http(s) URL."), details={"field": "url"})
    if len(url) > MAX_URL:
        raise ActionError(
            "invalid",
            _("The URL can be at most %(limit)s characters.") % {"limit": MAX_URL},
            details={"field": "url"},
        )
    try:
        outbound.check_webhook_url(url)
    except outbound.OutboundRefused as refused:
        raise ActionError(refused.code, refused.message, details={"field": "url"}) from None
    return url


def create_webhook_endpoint(
    seller: Seller, *, url: str, event_types: Sequence[str] = (), description: str = "", actor: Actor
) -> WebhookEndpoint:
    _check_manager(seller.pk, actor)
    unknown = sorted(set(event_types) - WEBHOOK_EVENT_TYPES)
    if unknown:
        raise ActionError(
            "invalid",
            _("Unknown event type(s): %(unknown)s; use %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(WEBHOOK_EVENT_TYPES))},
            details={"field": "event_types"},
        )
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    return WebhookEndpoint.objects.create(
        seller=seller,
        url=_check_url(url),
        event_types=sorted(set(event_types)),
        description=description.strip()[:MAX_DESCRIPTION],
        secret=secret,
    )


def delete_webhook_endpoint(endpoint: WebhookEndpoint, *, actor: Actor) -> None:
    _check_manager(endpoint.seller_id, actor)
    endpoint.delete()


def enable_webhook_endpoint(endpoint: WebhookEndpoint, *, actor: Actor) -> WebhookEndpoint:
    _check_manager(endpoint.seller_id, actor)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=True, disabled_at=None, disabled_reason="", failing_since=None
    )
    endpoint.refresh_from_db()
    return endpoint


def redeliver(delivery: Delivery, *, actor: Actor) -> Delivery:
    """Send a webhook message again, now, as a new delivery of the same message (same webhook-id)."""
    notification = delivery.notification
    if delivery.channel != Channel.WEBHOOK or notification.webhook is None:
        raise ActionError("invalid", _("Only webhook deliveries can be redelivered."))
    _check_manager(notification.seller_id, actor)
    if not notification.webhook.is_active:
        raise ActionError("disabled", _("The endpoint is disabled; enable it first."))
    now = timezone.now()
    with transaction.atomic():
        return Delivery.objects.create(
            notification=notification,
            channel=Channel.WEBHOOK,
            address=endpoint_label(notification.webhook),
            status=Status.PENDING,
            due_at=now,
            reason=f"webhook: redelivered by {actor.name} (of delivery #{delivery.pk}).",
            created_at=now,
        )
