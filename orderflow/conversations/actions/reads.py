"""Reading a thread: the reader's position moves to the newest message they were shown."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact, Membership
from orderflow.conversations.models import ThreadRead
from orderflow.core.actors import Actor
from orderflow.core.errors import Forbidden
from orderflow.orders.models import Order


def mark_thread_read(order: Order, *, up_to: int, actor: Actor) -> None:
    """Record that the staff member or contact acting has read the order's thread up to the message
    `up_to` (the newest one the page showed them, not the newest one now: a message that arrived while
    the page was being made stays unread). The position never moves back."""
    if up_to <= 0:
        return
    if actor.kind == "staff" and actor.membership is not None:
        if actor.membership.seller_id != order.seller_id:
            raise Forbidden("forbidden", _("You are not staff of this seller."))
        reader: dict[str, Membership | Contact | None] = {"membership": actor.membership, "contact": None}
    elif actor.kind == "customer" and actor.contact is not None:
        if actor.contact.customer_id != order.customer_id:
            raise Forbidden("forbidden", _("This order is not yours."))
        reader = {"contact": actor.contact, "membership": None}
    else:
        return  # the system reads nothing
    now = timezone.now()
    with transaction.atomic():
        read, created = ThreadRead.objects.get_or_create(
            order=order, **reader, defaults={"last_read_message_id": up_to, "read_at": now}
        )
        if not created:
            # Compare and set in the database: a slower request with an older position changes nothing.
            ThreadRead.objects.filter(pk=read.pk, last_read_message_id__lt=up_to).update(
                last_read_message_id=up_to, read_at=now
            )
