"""What the seller's pages read about its integrations: API tokens and webhook endpoints. (What was sent to
an endpoint: notifications/channels/webhook/selectors.py.)"""

from __future__ import annotations

from django.db.models import QuerySet

from orderflow.accounts.models import Seller
from orderflow.integrations.models import ApiToken, WebhookEndpoint


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
