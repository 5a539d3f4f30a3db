"""The people of an order: participants (added by the customer's contacts, e.g. who attends an event)
and leads (the provider's sales prospects). One table for both, `kind` tells them apart, so one upsert
serves the form, the portal, the API and the importer. A person is unique per order and kind by
normalised email and by normalised phone (where given): adding the same person again updates them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Contact, Membership, Seller
from orderflow.orders.models import Order


class Kind(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    LEAD = "lead", _("Lead")


class OptIn(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    PENDING = "pending", _("Confirmation pending")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")


class Person(models.Model):
    """A participant or a lead of one order. `email_normalised` and `phone_normalised` (E.164) are
    what deduplication compares; `email` and `phone` are kept as given."""

    # No index of their own on the foreign keys: the composite indexes below start with seller and
    # order, and who added or converted a person is never searched. Every index costs each row of a
    # large import (see save_people).
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+", db_index=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="people", db_index=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    email_normalised = models.CharField(max_length=254, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_normalised = models.CharField(max_length=20, blank=True, editable=False)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    opt_in = models.CharField(_("opt-in"), max_length=12, choices=OptIn.choices, default=OptIn.UNKNOWN)
    opt_in_at = models.DateTimeField(null=True, blank=True)
    opt_in_ip = models.GenericIPAddressField(null=True, blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    needs_qualification = models.BooleanField(
        default=False, help_text="A phone number but no email: a call should fill in the details"
    )
    added_by_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    added_by_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    added_by_name = models.CharField(max_length=200, blank=True)
    converted_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text="For a lead: the participant it was made from",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("participant or lead")
        verbose_name_plural = _("participants and leads")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind", "email_normalised"],
                condition=~Q(email_normalised=""),
                name="leads_person_email_per_order",
            ),
            models.UniqueConstraint(
                fields=["order", "kind", "phone_normalised"],
                condition=~Q(phone_normalised=""),
                name="leads_person_phone_per_order",
            ),
            models.CheckConstraint(
                condition=~Q(email_normalised="") | ~Q(phone_normalised=""),
                name="leads_person_has_email_or_phone",
            ),
        ]
        indexes = [
            models.Index(fields=["order", "kind", "id"], name="leads_person_list"),
            models.Index(fields=["seller", "kind", "created_at"], name="leads_person_seller"),
            # Deleting a participant clears the leads made from it: without this, each such delete scans
            # every person (quadratic when an order with many people goes). Partial: imports never pay it.
            models.Index(
                fields=["converted_from"],
                name="leads_person_converted_from",
                condition=models.Q(converted_from__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.phone


class OptInLink(models.Model):
    """The link of one opt-in email: a capability (the token is never stored, its SHA-256 finds the
    row), single use, expiring."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="opt_in_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Opt-in link of {self.person_id}"


class Recipient(models.Model):
    """Someone told when participants or leads are added to an order: an email address or a staff
    member of the seller."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="people_recipients")
    email = models.EmailField(blank=True)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order", "email"], condition=~Q(email=""), name="leads_recipient_email"
            ),
            models.UniqueConstraint(
                fields=["order", "membership"],
                condition=Q(membership__isnull=False),
                name="leads_recipient_member",
            ),
            models.CheckConstraint(
                condition=(~Q(email="") & Q(membership__isnull=True))
                | (Q(email="") & Q(membership__isnull=False)),
                name="leads_recipient_one_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.email or str(self.membership)
