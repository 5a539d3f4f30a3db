from __future__ import annotations

from orderflow.conversations.models import Message
from orderflow.orders.models import Order


def thread_for_staff(order: Order) -> list[Message]:
    """Every message and internal note of the order, oldest first."""
    return list(Message.objects.filter(order=order).order_by("created_at", "id"))
