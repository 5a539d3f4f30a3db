"""Webhook endpoints as staff see them, and the Standard Webhooks signature (`webhook-id`,
`webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`). Which events become messages, their
payload and what their sends tell belong to the webhook channel (notifications/channels/webhook/)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from orderflow.accounts.models import Role
from orderflow.core.actors import Actor
from orderflow.integrations.models import WebhookEndpoint


def sees_full_urls(actor: Actor, *, can_write: bool = True) -> bool:
    """Whether `actor` is shown endpoints' full URLs: owners and managers, on the pages and through
    read-write tokens. Staff and read-only tokens see the scheme and host only: a path, query or
    userinfo may carry the receiver's credentials."""
    return can_write and actor.kind == "staff" and actor.role in (Role.OWNER, Role.MANAGER)


def masked_url(url: str) -> str:
    """`https://erp.example.com/…`: never the port, path, query, fragment or userinfo."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{parts.scheme}://{host}/…"


def shown_url(endpoint: WebhookEndpoint, *, full: bool) -> str:
    return endpoint.url if full else masked_url(endpoint.url)


def endpoint_label(endpoint: WebhookEndpoint) -> str:
    """How an endpoint appears in traces staff can read: its host, never its path or query (which may
    carry credentials)."""
    return f"webhook #{endpoint.pk} ({urlsplit(endpoint.url).hostname})"


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()
