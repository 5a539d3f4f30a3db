"""What was sent to a webhook endpoint, for the seller's pages and the API."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from orderflow.integrations.models import WebhookEndpoint
from orderflow.notifications.models import Delivery, DeliveryAttempt


def _attempts() -> Prefetch:
    return Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("started_at", "pk"))


def webhook_deliveries(endpoint: WebhookEndpoint) -> QuerySet[Delivery]:
    """Everything sent (or to be sent) to the endpoint, newest first, with every attempt."""
    return (
        Delivery.objects.filter(notification__webhook=endpoint, notification__seller_id=endpoint.seller_id)
        .select_related("notification__order", "notification__event")
        .prefetch_related(_attempts())
        .order_by("-pk")
    )


def webhook_delivery_of(endpoint: WebhookEndpoint, delivery_id: int) -> Delivery | None:
    return webhook_deliveries(endpoint).select_related("notification__webhook").filter(pk=delivery_id).first()
