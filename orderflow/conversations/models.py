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
        indexes = [models.Index(fields=["order", "created_at"])]

    def __str__(self) -> str:
        return f"{'Note' if self.internal else 'Message'} by {self.author_name} on {self.order_id}"
