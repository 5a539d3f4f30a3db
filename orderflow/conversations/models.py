"""The thread of an order: messages between the seller's staff and the customer, and staff-only notes."""

from __future__ import annotations

from django.db import models

from orderflow.accounts.models import Contact, Membership, Seller
from orderflow.orders.models import Order


class MessageQuerySet(models.QuerySet["Message"]):
    def for_customer(self) -> MessageQuerySet:
        return self.filter(internal=False)


class Message(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="messages")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    author_kind = models.CharField(max_length=10)
    author_membership = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    author_contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=200)
    body = models.TextField()
    internal = models.BooleanField(
        default=False, help_text="A staff note: never shown or sent to the customer"
    )
    created_at = models.DateTimeField()

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["order", "created_at"]),
            # The unread badge: a seller's messages after a reader's position.
            models.Index(fields=["seller", "id"]),
        ]

    def __str__(self) -> str:
        return f"{'Note' if self.internal else 'Message'} by {self.author_name} on {self.order_id}"


class Attachment(models.Model):
    """A file carried by a message or an internal note. Immutable once saved: nothing in the app updates
    or deletes one, and a database trigger refuses it (migration 0002). The file lives in the storage
    under a random name (`stored_as`); `name` is the cleaned name people see."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=160)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=120, help_text="Judged from the content, not the name")
    sha256 = models.CharField(max_length=64)
    stored_as = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class InboundOutcome(models.TextChoices):
    POSTED = "posted", "Posted"
    REFUSED = "refused", "Refused"
    IGNORED = "ignored", "Ignored"


class InboundEmail(models.Model):
    """Every email that came in as a reply, with what became of it: posted to a thread, refused (a reason
    code and text), or ignored (an auto-reply). Its Message-ID is unique: the same mail fed twice is
    found here and never posted twice."""

    mail_id = models.CharField(max_length=300, unique=True, help_text="Its Message-ID header")
    received_via = models.CharField(max_length=40)
    sender = models.CharField(max_length=300, blank=True)
    recipient = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=InboundOutcome.choices)
    code = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    seller = models.ForeignKey(Seller, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    posted = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.outcome} {self.mail_id}"


class ThreadRead(models.Model):
    """How far one reader has read one order's thread: a staff member (`membership`) or a customer's
    contact (`contact`), exactly one of them. Messages after `last_read_message_id` not written by the
    reader are unread for them. The position only moves forward (two tabs opened in a different order
    never make read messages unread again)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.PositiveBigIntegerField(
        default=0, help_text="The newest message the reader was shown (an id, kept if that message goes)"
    )
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "order"],
                condition=models.Q(membership__isnull=False),
                name="thread_read_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["contact", "order"],
                condition=models.Q(contact__isnull=False),
                name="thread_read_once_per_contact",
            ),
            models.CheckConstraint(
                condition=models.Q(membership__isnull=False, contact__isnull=True)
                | models.Q(membership__isnull=True, contact__isnull=False),
                name="thread_read_one_reader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id or self.contact_id} read {self.order_id} to {self.last_read_message_id}"
