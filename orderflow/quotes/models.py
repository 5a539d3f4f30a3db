"""Quotes and customer confirmations.

A quote answers a request (source article 001) or proposes a solution (003): priced lines, an expiry and a
promised completion date. A sent quote is never edited: a revision is a new version of the order's quote,
and every version stays readable. A confirmation sends a quote's summary, without prices, and the seller's
current terms to one contact of the customer; the contact's acceptance is kept as evidence that nothing
can change (`Acceptance`, `Terms`: append-only, and the database refuses UPDATE and DELETE)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Contact, Membership, Seller
from orderflow.core.immutable import AppendOnly
from orderflow.orders.models import Order, PricedLine, Totals, totals_of


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Replaced by a revision")


# A quote in these states can no longer be accepted, declined or revised into anything but a new version.
CLOSED_QUOTE_STATES = frozenset(
    {QuoteStatus.ACCEPTED, QuoteStatus.DECLINED, QuoteStatus.EXPIRED, QuoteStatus.SUPERSEDED}
)


class Quote(models.Model):
    """One version of an order's quote. Editable only while a draft; sending freezes it."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="quotes")
    version = models.PositiveIntegerField(help_text="1, 2, … per order; a revision is the next version")
    status = models.CharField(max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    currency = models.CharField(max_length=3)
    expires_on = models.DateField(help_text="The last day the customer may accept it")
    completion_on = models.DateField(null=True, blank=True, help_text="The promised completion date")
    notes = models.TextField(blank=True, help_text="Notes to the customer")
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by_name = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="Accepted, declined or expired")
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_by_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "version"]
        constraints = [models.UniqueConstraint(fields=["order", "version"], name="quote_version_per_order")]
        indexes = [models.Index(fields=["status", "expires_on"], name="quote_due_to_expire")]

    def __str__(self) -> str:
        return f"Quote v{self.version} of order {self.order_id}"

    @property
    def is_draft(self) -> bool:
        return self.status == QuoteStatus.DRAFT

    def totals(self) -> Totals:
        return totals_of(self.lines.all())


class QuoteLine(PricedLine):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["quote", "position"], name="line_position_per_quote")]


class Terms(AppendOnly):
    """One version of a seller's terms and conditions. Editing them appends the next version; the one with
    the highest version is current. `sha256` is the digest of `body` as UTF-8, kept with every acceptance."""

    append_only_name = "Terms and conditions"

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="terms")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    sha256 = models.CharField(max_length=64)
    created_by_name = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["seller", "-version"]
        constraints = [models.UniqueConstraint(fields=["seller", "version"], name="terms_version_per_seller")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @staticmethod
    def digest(body: str) -> str:
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


class ConfirmationStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Confirmation(models.Model):
    """A request to one contact to confirm a quote's summary and the seller's terms (source article 003).

    The approval link names this row; it works while the row is `sent` and the quote has not expired, so
    revoking is a status change. `link_nonce` is in the signed link: a new nonce voids links sent before."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="confirmations")
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="confirmations")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+", help_text="Sent to")
    status = models.CharField(
        max_length=16, choices=ConfirmationStatus.choices, default=ConfirmationStatus.SENT
    )
    link_nonce = models.CharField(max_length=32)
    sent_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by_name = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=200, blank=True)
    progressed_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff progressed it into the order"
    )

    class Meta:
        ordering = ["order", "created_at", "id"]

    def __str__(self) -> str:
        return f"Confirmation {self.pk} of quote {self.quote_id}"


class Acceptance(AppendOnly):
    """The evidence of one accepted confirmation: exactly what was shown and who accepted it, how and when.

    One per confirmation (a unique key, so two people accepting at once leave exactly one). `summary` is
    the summary as shown, stored rather than rendered again; `terms_sha256` the digest of the terms shown."""

    append_only_name = "An acceptance"

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="acceptances")
    confirmation = models.OneToOneField(Confirmation, on_delete=models.PROTECT, related_name="acceptance")
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="+")
    quote_version = models.PositiveIntegerField()
    summary = models.JSONField(help_text="The product summary exactly as shown, without prices")
    terms = models.ForeignKey(Terms, on_delete=models.PROTECT, related_name="+")
    terms_version = models.PositiveIntegerField()
    terms_sha256 = models.CharField(max_length=64)
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="+", help_text="The contact chosen"
    )
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    identity = models.CharField(
        max_length=300,
        help_text="How they were known: the signed-in user, or the approval link and its contact",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["accepted_at", "id"]

    def __str__(self) -> str:
        return f"Acceptance of confirmation {self.confirmation_id}"
