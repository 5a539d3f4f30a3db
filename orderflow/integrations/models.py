"""What other systems use to work with a seller: API tokens, idempotency records, webhook endpoints."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from orderflow.accounts.models import Membership, Seller

# English here (the API's docs); marked for the catalogue, translated where people read them.
WEBHOOK_EVENTS = [
    ("order.placed", gettext_noop("An order was placed")),
    ("order.status_changed", gettext_noop("An order changed status")),
    ("order.assigned", gettext_noop("An order was assigned")),
    ("order.updated", gettext_noop("Details of an order changed (estimate, lines)")),
    ("order.cancelled", gettext_noop("An order was cancelled")),
    ("order.refunded", gettext_noop("A refund was issued")),
    ("order.archived", gettext_noop("An order was archived")),
    ("message.posted", gettext_noop("A message was posted on an order")),
    ("feedback.received", gettext_noop("A customer rated an order")),
    ("confirmation.accepted", gettext_noop("A customer accepted a confirmation of a quote and its terms")),
    ("quote.sent", gettext_noop("A quote was sent to the customer")),
    ("quote.accepted", gettext_noop("A customer accepted a quote")),
    ("quote.declined", gettext_noop("A customer declined a quote")),
    ("quote.expired", gettext_noop("A quote expired unanswered")),
    ("lead.added", gettext_noop("Leads were added to an order")),
    ("participant.added", gettext_noop("Participants were added to an order")),
    ("import.finished", gettext_noop("An import of participants or leads into an order finished")),
]
WEBHOOK_EVENT_TYPES = frozenset(key for key, _ in WEBHOOK_EVENTS)


class TokenState(models.TextChoices):
    """Whether a token works, and if not, why. Only the first two reasons are ever stored
    (`ApiToken.revoked_reason`); the member's ones are read live from their membership."""

    REVOKED = "revoked", _("revoked by an owner or manager")
    NO_MEMBER = "no_member", _("made before tokens belonged to a member")
    MEMBER_REMOVED = "member_removed", _("member removed")
    MEMBER_DEACTIVATED = "member_deactivated", _("member deactivated")
    ACCOUNT_DISABLED = "account_disabled", _("member's account disabled")
    ACTIVE = "active", _("active")


class ApiToken(models.Model):
    """A secret that acts for one member of one seller, with their current role, while they are active
    staff of the seller (`state`). The secret is kept only as a hash."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        READ_WRITE = "read_write", _("Read and write")

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="api_tokens")
    # A removed member's row is gone (SET_NULL): their tokens stop, and adding them again as new staff
    # does not bring the old tokens back.
    membership = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_tokens",
        help_text="The member the token acts as",
    )
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
    last_used_from = models.GenericIPAddressField(
        null=True, blank=True, help_text="The client address of the last recorded use"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(
        max_length=20,
        blank=True,
        choices=[(s.value, s.label) for s in (TokenState.REVOKED, TokenState.NO_MEMBER)],
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE

    @property
    def state(self) -> TokenState:
        """Read from the membership as it is now, so a member who leaves takes their tokens along at
        once. Load `membership__user` with the token (one query)."""
        if self.revoked_at is not None:
            return TokenState(self.revoked_reason or TokenState.REVOKED)
        member = self.membership
        if member is None or member.seller_id != self.seller_id:
            return TokenState.MEMBER_REMOVED
        if not member.is_active:
            return TokenState.MEMBER_DEACTIVATED
        if not member.user.is_active:
            return TokenState.ACCOUNT_DISABLED
        return TokenState.ACTIVE

    @property
    def works(self) -> bool:
        return self.state == TokenState.ACTIVE


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
