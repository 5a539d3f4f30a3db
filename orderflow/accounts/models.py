"""Sellers (the tenants), their staff, and their customers with contacts."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderflow.core.immutable import AppendOnly

LOCALES = [("en", "English"), ("fr", "Français")]

phone_validator = RegexValidator(
    r"^\+[1-9]\d{6,14}$", _("Enter the phone number in international form, e.g. +14155550123.")
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)r is not a known time zone (use a name such as Europe/Paris).") % {"value": value}
        )


# A host name as DNS spells it: labels of letters, digits and inner hyphens, with a top-level label.
_DOMAIN = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def sender_domains(text: str) -> list[str]:
    """The domains of a `Seller.sender_domains` text: one per line, lower case, blank lines skipped."""
    return [line.strip().lower() for line in text.splitlines() if line.strip()]


def validate_sender_domains(value: str) -> None:
    bad = [domain for domain in sender_domains(value) if not _DOMAIN.fullmatch(domain)]
    if bad:
        raise ValidationError(
            _("Not a domain name: %(domains)s. Write one domain per line, e.g. acme.example."),
            params={"domains": ", ".join(bad)},
        )


# Mail services anyone can have an address at: a request from one says nothing of which customer sent it.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "free.fr",
        "gmail.com",
        "gmx.com",
        "gmx.de",
        "googlemail.com",
        "hotmail.com",
        "hotmail.fr",
        "icloud.com",
        "laposte.net",
        "live.com",
        "me.com",
        "orange.fr",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "sympatico.ca",
        "videotron.ca",
        "web.de",
        "yahoo.com",
        "yahoo.fr",
    }
)


def normalize_domain(text: str) -> str:
    """' @Acme.Example. ' -> 'acme.example': what people paste, as DNS spells it."""
    return text.strip().lstrip("@").rstrip(".").lower()


def validate_domain(value: str) -> None:
    if not _DOMAIN.fullmatch(value):
        raise ValidationError(
            _("%(value)s is not a domain name (write what follows the @ of an address, e.g. acme.example).")
            % {"value": value or '""'},
            code="invalid",
        )
    if value in PUBLIC_MAIL_DOMAINS:
        raise ValidationError(
            _(
                "%(value)s is a public mail service: a request from it cannot be matched to one customer. "
                "Leave it out and add the contacts' addresses instead."
            )
            % {"value": value},
            code="public_domain",
        )


def validate_channels(value: object) -> None:
    """The shape only. Which channels exist is the notifications' registry's to say, a layer above:
    `add_contact` checks the names against it."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Preferred channels must be a list of channel names."))


class Seller(models.Model):
    """A business taking orders: the tenant every other row belongs to."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    locale = models.CharField(max_length=8, choices=LOCALES, default="en")
    currency = models.CharField(max_length=3, default="USD")
    order_counter = models.PositiveIntegerField(default=0, editable=False, help_text="Last order number used")
    allow_backorders = models.BooleanField(
        _("allow backorders"),
        default=False,
        help_text=_("Customers may order items marked out of stock; they are supplied when back in stock"),
    )
    # Set by the platform's operator (in the admin), never by the seller: mail can only be sent From a
    # domain whose SPF and DKIM records the operator has checked, or it would be spoofing.
    sender_domains = models.TextField(
        _("verified sender domains"),
        blank=True,
        validators=[validate_sender_domains],
        help_text=_(
            "Domains this seller may send email From, one per line (e.g. acme.example), once their SPF "
            "and DKIM records allow this platform to send for them. Empty: mail goes From the platform's "
            "address, with the seller's Reply-To."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def may_send_from(self, address: str) -> bool:
        """Whether `address` is on one of the seller's verified sender domains (exactly: a subdomain
        needs its own line)."""
        _local, at, domain = address.strip().rpartition("@")
        return bool(at) and domain.lower() in sender_domains(self.sender_domains)


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")


class Membership(models.Model):
    """A user working for a seller, with a role."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    is_active = models.BooleanField(default=True)
    phone = models.CharField(max_length=20, blank=True, validators=[phone_validator])
    language = models.CharField(
        max_length=8, choices=LOCALES, blank=True, default="", help_text="Empty: the seller's language"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "user"], name="one_membership_per_seller")]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()}, {self.seller})"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def reading_language(self) -> str:
        """The language of this member's pages: their own choice, else the seller's."""
        return self.language or self.seller.locale


class Customer(models.Model):
    """Someone who orders from a seller: a bar, a partner company, a household, a prospect."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, blank=True, help_text="e.g. bar, partner, household, prospect")
    reference = models.CharField(max_length=60, blank=True, help_text="The seller's account number")
    notes = models.TextField(
        _("notes"), blank=True, max_length=5000, help_text=_("For staff only; never shown to the customer.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["seller", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def domain_names(self) -> list[str]:
        """The customer's email domains, by name (uses prefetched `domains` when there are)."""
        return sorted(domain.domain for domain in self.domains.all())


class CustomerDomain(models.Model):
    """An email domain of the customer's own (003_…: requests and confirmations are matched to a
    customer by the sender's domain). A domain names one customer of a seller, so a match is certain."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, validators=[validate_domain])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "domain"], name="one_customer_per_domain")]

    def __str__(self) -> str:
        return self.domain


class Contact(models.Model):
    """A person at a customer: who orders, who is told, in which language, on which channels, when."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, validators=[phone_validator])
    locale = models.CharField(max_length=8, choices=LOCALES, default="en")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    preferred_channels = models.JSONField(default=list, blank=True, validators=[validate_channels])
    messenger_url = models.CharField(
        max_length=500, blank=True, help_text="Apprise URL of their messenger chat (Telegram, WhatsApp...)"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
        help_text="Portal login, when the contact has one",
    )
    is_active = models.BooleanField(
        default=True, help_text="Off: their links and portal login no longer work (they left the customer)"
    )
    reach_answered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the contact (or staff for them) last stated their preferred channels and hours; "
        "empty: never asked, so the portal asks them",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def seller_id(self) -> int:
        return self.customer.seller_id


class CustomerEventType(models.TextChoices):
    CUSTOMER_CREATED = "customer_created", _("Customer added")
    CUSTOMER_CHANGED = "customer_changed", _("Customer details changed")
    CONTACT_ADDED = "contact_added", _("Contact added")
    CONTACT_CHANGED = "contact_changed", _("Contact changed")
    CONTACT_DEACTIVATED = "contact_deactivated", _("Contact deactivated")
    CONTACT_REACTIVATED = "contact_reactivated", _("Contact reactivated")
    REACH_ANSWERED = "reach_answered", _("Contact chose their channels and hours")


class CustomerEvent(AppendOnly):
    """One line of a customer's log: the customer or one of its contacts added, changed (before and
    after), deactivated, reactivated. Appended in the same transaction as the change; never edited."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=24, choices=CustomerEventType.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    data = models.JSONField(default=dict, blank=True, help_text="Before and after of what changed")
    created_at = models.DateTimeField(db_index=True)

    append_only_name = "The customer log"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type} on customer {self.customer_id}"


class Invitation(models.Model):
    """A single-use link for someone to choose their own password: a contact's portal login (`contact`
    set) or a new staff member of the seller (`role` set). Only a hash of the link's token is kept."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="A newer invitation of the same person replaced this one"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False, role="")
                | models.Q(contact__isnull=True) & ~models.Q(role=""),
                name="invitation_is_for_a_contact_or_staff",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.seller}"

    def is_open(self, now: dt.datetime) -> bool:
        return self.used_at is None and self.withdrawn_at is None and now < self.expires_at
