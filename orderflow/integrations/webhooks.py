"""Webhook messages: which order events become which event types, their payload, and the Standard
Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone

from orderflow.integrations.models import WebhookEndpoint
from orderflow.notifications.models import Category, Channel, Delivery, Notification, Status
from orderflow.orders.models import EventType, Order, OrderEvent

EVENT_TYPES: dict[str, str] = {
    EventType.PLACED: "order.placed",
    EventType.TRANSITIONED: "order.status_changed",
    EventType.ASSIGNED: "order.assigned",
    EventType.ESTIMATE_SET: "order.updated",
    EventType.LINE_UPDATED: "order.updated",
    EventType.CANCELLED: "order.cancelled",
    EventType.REFUNDED: "order.refunded",
    EventType.ARCHIVED: "order.archived",
    EventType.MESSAGE: "message.posted",
    EventType.FEEDBACK: "feedback.received",
}
DISABLE_AFTER = dt.timedelta(days=5)


def endpoint_label(endpoint: WebhookEndpoint) -> str:
    """How an endpoint appears in traces staff can read: its host, never its path or query (which may
    carry credentials)."""
    return f"webhook #{endpoint.pk} ({urlsplit(endpoint.url).hostname})"


def message_id(notification: Notification) -> str:
    """The same for every attempt and redelivery of one message to one endpoint."""
    return f"msg_{notification.event_id}_{notification.webhook_id}"


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def payload(event: OrderEvent, order: Order, event_type: str) -> dict[str, Any]:
    from orderflow.api.schemas import EventOut, OrderOut  # the order exactly as the API returns it

    return {
        "id": f"evt_{event.pk}",
        "type": event_type,
        "timestamp": event.created_at.isoformat(),
        "data": {
            "event": EventOut.from_event(event).model_dump(mode="json"),
            "order": OrderOut.from_order(order).model_dump(mode="json"),
        },
    }


def emit_webhooks(event: OrderEvent, order: Order) -> int:
    """Write one webhook delivery per subscribed endpoint. Caller holds the change's transaction."""
    event_type = EVENT_TYPES.get(event.type)
    if event_type is None:
        return 0
    endpoints = [e for e in WebhookEndpoint.objects.filter(seller_id=order.seller_id) if e.wants(event_type)]
    if not endpoints:
        return 0
    body = payload(event, order, event_type)
    for endpoint in endpoints:
        shown = endpoint_label(endpoint)
        notification = Notification.objects.create(
            seller_id=order.seller_id,
            order=order,
            event=event,
            webhook=endpoint,
            payload=body,
            recipient_name=shown,
            category=Category.TRANSACTIONAL,
            template="webhook",
            idempotency_key=f"{event.pk}:webhook:{endpoint.pk}",
            reason=f"{shown} subscribes to {event_type}.",
            created_at=event.created_at,
        )
        Delivery.objects.create(
            notification=notification,
            channel=Channel.WEBHOOK,
            address=shown,
            status=Status.PENDING,
            due_at=event.created_at,
            reason="webhook: sent at once; webhooks have no delivery hours.",
            created_at=event.created_at,
        )
    return len(endpoints)


def record_outcome(endpoint: WebhookEndpoint, *, ok: bool) -> bool:
    """Track failing endpoints; disable one failing for 5 days and tell the seller. True if disabled now."""
    now = timezone.now()
    if ok:
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return False
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
        return False
    if now - endpoint.failing_since < DISABLE_AFTER or not endpoint.is_active:
        return False
    reason = f"Every delivery failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC."
    disabled = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason
    )
    if disabled:
        from orderflow.notifications.emit import tell_staff

        tell_staff(
            endpoint.seller_id,
            template="webhook_disabled",
            payload={"endpoint_url": endpoint.url, "reason": reason},
        )
    return bool(disabled)
