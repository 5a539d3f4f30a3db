"""Which order events become which webhook event types, their payload, and the one delivery per subscribed
endpoint, written with the change that caused them."""

from __future__ import annotations

from typing import Any

from orderflow.core import rawread
from orderflow.integrations.models import WebhookEndpoint
from orderflow.integrations.webhooks import endpoint_label
from orderflow.notifications.models import Category, Channel, Delivery, Notification, Status
from orderflow.orders.models import EventType, Order, OrderEvent
from orderflow.orders.shapes import as_json, event_shape, order_shape

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
    EventType.CONFIRMATION_ACCEPTED: "confirmation.accepted",
    EventType.QUOTE_SENT: "quote.sent",
    EventType.QUOTE_ACCEPTED: "quote.accepted",
    EventType.QUOTE_DECLINED: "quote.declined",
    EventType.QUOTE_EXPIRED: "quote.expired",
    EventType.IMPORT_FINISHED: "import.finished",
}


def message_id(notification: Notification) -> str:
    """The same for every attempt and redelivery of one message to one endpoint."""
    return f"msg_{notification.event_id}_{notification.webhook_id}"


def payload(event: OrderEvent, order: Order, event_type: str) -> dict[str, Any]:
    """The event and the order as the API shows them (orders.shapes)."""
    return {
        "id": f"evt_{event.pk}",
        "type": event_type,
        "timestamp": event.created_at.isoformat(),
        "data": {"event": as_json(event_shape(event)), "order": as_json(order_shape(order))},
    }


def _event_type(event: OrderEvent) -> str | None:
    if event.type == EventType.PEOPLE_ADDED:
        data = event.data or {}
        if not data.get("created"):
            return None
        return "lead.added" if data.get("kind") == "lead" else "participant.added"
    return EVENT_TYPES.get(event.type)


def emit_webhooks(event: OrderEvent, order: Order) -> int:
    """Write one webhook delivery per subscribed endpoint. Caller holds the change's transaction."""
    event_type = _event_type(event)
    if event_type is None:
        return 0
    # Hand-written: this read runs on every change, and most sellers have no endpoint.
    found = rawread.rows(WebhookEndpoint, "seller_id = %s AND is_active = %s", [order.seller_id, True])
    endpoints = [e for e in found if e.wants(event_type)]
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
