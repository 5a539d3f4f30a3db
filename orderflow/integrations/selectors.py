"""What the seller's pages read about its integrations: API tokens and webhook endpoints. (What was sent to
an endpoint: notifications/channels/webhook/selectors.py.)"""

from __future__ import annotations

from django.db.models import F, QuerySet

from orderflow.accounts.models import Seller
from orderflow.integrations.models import ApiToken, WebhookEndpoint


def tokens_of(seller: Seller) -> QuerySet[ApiToken]:
    """Tokens not revoked first, then revoked ones; newest first within each. Each with its member and
    their user, so that `state` (whether the member is still active) costs no query per row."""
    return (
        ApiToken.objects.filter(seller=seller)
        .select_related("created_by", "membership__user")
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def token_of(seller: Seller, token_id: int) -> ApiToken | None:
    return ApiToken.objects.filter(seller=seller, pk=token_id).select_related("membership__user").first()


def token_by_hash(token_hash: str) -> ApiToken | None:
    """The token with this hash, revoked or not, with its seller, member and member's user (one query):
    what the API needs to decide, live, whether it works and whom it acts as."""
    return ApiToken.objects.select_related("seller", "membership__user").filter(token_hash=token_hash).first()


def webhooks_of(seller: Seller) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(seller=seller).order_by("pk")


def webhook_of(seller: Seller, endpoint_id: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(seller=seller, pk=endpoint_id).first()
