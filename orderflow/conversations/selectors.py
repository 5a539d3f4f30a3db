from __future__ import annotations

from django.db.models import QuerySet

from orderflow.conversations.models import Attachment, Message
from orderflow.orders.models import Order


def thread_for_staff(order: Order) -> list[Message]:
    """Every message and internal note of the order, oldest first, with their files."""
    return list(
        Message.objects.filter(order=order).prefetch_related("attachments").order_by("created_at", "id")
    )


def thread_for_customer(order: Order) -> list[Message]:
    """The messages a customer may read (never internal notes), oldest first, with their files."""
    return list(
        Message.objects.for_customer()
        .filter(order=order)
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def _attachments(order: Order) -> QuerySet[Attachment]:
    return Attachment.objects.filter(message__order=order, seller_id=order.seller_id)


def attachment_for_staff(order: Order, attachment_id: int) -> Attachment | None:
    """A file of this order's thread (message or internal note); the caller checked that the reader is
    staff of the order's seller."""
    return _attachments(order).filter(pk=attachment_id).first()


def attachment_for_customer(order: Order, attachment_id: int) -> Attachment | None:
    """A file of one of this order's public messages; never one of an internal note. The caller checked
    that the reader is a contact of the order's customer."""
    return _attachments(order).filter(pk=attachment_id, message__internal=False).first()


def thread_for_email(
    order: Order, *, up_to: int | None, customer: bool, limit: int
) -> tuple[list[Message], int]:
    """The thread as a message email shows it: newest first, from the message it tells of (`up_to`, a
    message id) back, at most `limit` messages, without internal notes for a customer; and how many
    older ones were left out."""
    messages = Message.objects.filter(order=order)
    if customer:
        messages = messages.filter(internal=False)
    if up_to is not None:
        messages = messages.filter(pk__lte=up_to)
    total = messages.count()
    shown = list(messages.prefetch_related("attachments").order_by("-created_at", "-id")[:limit])
    return shown, max(0, total - len(shown))
