"""Posting to an order's thread. A message is logged on the order and notifies per the rules; an
internal note stays among staff: it is never shown to the customer nor sent to them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.conversations.models import Message
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden, NotAllowed
from orderflow.notifications.emit import notify
from orderflow.orders.actions import log_event
from orderflow.orders.models import EventType, Order

MAX_BODY = 5000


def customer_may_write(order: Order) -> bool:
    """Customers write about open orders only: the thread of a cancelled or closed order stays
    readable, but it is no place for new requests (nobody works on it any more)."""
    return not order.is_final and order.current_state.category != "cancelled"


def post_message(order: Order, *, body: str, actor: Actor, internal: bool = False) -> Message:
    if actor.kind == "customer":
        if actor.contact is None or actor.contact.customer_id != order.customer_id:
            raise Forbidden("forbidden", _("This order is not yours."))
        if internal:
            raise Forbidden("forbidden", _("Customers cannot write internal notes."))
        if not customer_may_write(order):
            raise NotAllowed("closed", _("This order is closed: contact the seller another way."))
    elif actor.kind == "staff":
        membership = actor.membership
        if membership is None or membership.seller_id != order.seller_id or not membership.is_active:
            raise Forbidden("forbidden", _("You are not staff of this seller."))
    if not isinstance(body, str) or not body.strip():
        raise ActionError("invalid", _("Write a message first."), details={"field": "body"})
    body = body.strip()
    if len(body) > MAX_BODY:
        raise ActionError(
            "invalid",
            _("A message can be at most %(limit)s characters.") % {"limit": MAX_BODY},
            details={"field": "body"},
        )
    with transaction.atomic():
        message = Message.objects.create(
            order=order,
            seller_id=order.seller_id,
            author_kind=actor.kind,
            author_membership=actor.membership,
            author_contact=actor.contact,
            author_name=actor.name[:200],
            body=body,
            internal=internal,
            created_at=timezone.now(),
        )
        event = log_event(
            order, EventType.MESSAGE, actor, note=body, data={"message_id": message.pk, "internal": internal}
        )
        notify(event)
    return message
