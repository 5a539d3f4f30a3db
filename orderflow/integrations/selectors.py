"""What the seller's pages read about its integrations: API tokens, webhook endpoints and what was sent."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from orderflow.accounts.models import Seller
from orderflow.integrations.models import ApiToken, WebhookEndpoint
from orderflow.notifications.models import Delivery, DeliveryAttempt


def tokens_of(seller: Seller) -> QuerySet[ApiToken]:
    """Active tokens first, then revoked ones; newest first within each."""
    return (
        ApiToken.objects.filter(seller=seller)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at", "-pk")
    )


def token_of(seller: Seller, token_id: int) -> ApiToken | None:
    return ApiToken.objects.filter(seller=seller, pk=token_id).first()


def webhooks_of(seller: Seller) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(seller=seller).order_by("pk")


def webhook_of(seller: Seller, endpoint_id: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(seller=seller, pk=endpoint_id).first()


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
