"""What other systems use to work with a seller: API tokens, idempotency records, webhook endpoints."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orderflow.accounts.models import Seller

WEBHOOK_EVENTS = [
    ("order.placed", "An order was placed"),
    ("order.status_changed", "An order changed status"),
    ("order.assigned", "An order was assigned"),
    ("order.updated", "Details of an order changed (estimate, lines)"),
    ("order.cancelled", "An order was cancelled"),
    ("order.refunded", "A refund was issued"),
    ("order.archived", "An order was archived"),
    ("message.posted", "A message was posted on an order"),
    ("feedback.received", "A customer rated an order"),
]
WEBHOOK_EVENT_TYPES = frozenset(key for key, _ in WEBHOOK_EVENTS)


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Read"
        READ_WRITE = "read_write", "Read and write"

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The first characters, to recognise a token")
    token_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the token; the token is not kept"
    )
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for 24 hours."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, help_text="Empty while the first request runs")
    response_body = models.BinaryField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "key"], name="one_idempotency_key_per_seller")
        ]

    def __str__(self) -> str:
        return self.key


class WebhookEndpoint(models.Model):
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=1000)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100, help_text="whsec_… (Standard Webhooks)")
    event_types = models.JSONField(default=list, help_text="Subscribed event types; empty means all")
    is_active = models.BooleanField(default=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return self.is_active and (not self.event_types or event_type in self.event_types)
