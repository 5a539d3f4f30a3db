"""Webhook endpoints as staff see them, and the Standard Webhooks signature (`webhook-id`,
`webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`). Which events become messages, their
payload and what their sends tell belong to the webhook channel (notifications/channels/webhook/)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from orderflow.integrations.models import WebhookEndpoint


def endpoint_label(endpoint: WebhookEndpoint) -> str:
    """How an endpoint appears in traces staff can read: its host, never its path or query (which may
    carry credentials)."""
    return f"webhook #{endpoint.pk} ({urlsplit(endpoint.url).hostname})"


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()
