"""What happened on an order: its activity log, its message thread, and its notification trace."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import pgettext
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from orderflow.api.auth import ApiContext, context_of
from orderflow.api.errors import not_found, reads, writes
from orderflow.api.inputs import OrderNumber, text
from orderflow.api.schemas import ActorOut, EventOut
from orderflow.conversations.actions import MAX_BODY, post_message
from orderflow.conversations.models import Message
from orderflow.conversations.selectors import thread_for_staff
from orderflow.notifications.models import Delivery, Notification
from orderflow.notifications.selectors import order_trace
from orderflow.orders.models import Order, OrderEvent

router = Router(tags=["orders"])


class MessageOut(Schema):
    id: int
    author: ActorOut
    body: str
    internal: bool = Field(description="A staff note: never shown or sent to the customer")
    created_at: dt.datetime

    @classmethod
    def from_message(cls, message: Message) -> MessageOut:
        return cls(
            id=message.pk,
            author=ActorOut(kind=message.author_kind, name=message.author_name),
            body=message.body,
            internal=message.internal,
            created_at=message.created_at,
        )


class MessageIn(Schema):
    body: Annotated[str, text(MAX_BODY, required=True)]
    internal: StrictBool = Field(False, description="true: a staff note the customer never sees")


class AttemptOut(Schema):
    started_at: dt.datetime
    duration_ms: int
    outcome: str
    error: str


class DeliveryOut(Schema):
    id: int
    channel: str
    address: str
    status: str
    due_at: dt.datetime
    sent_at: dt.datetime | None
    reason: str
    error: str
    attempt_count: int
    attempts: list[AttemptOut]
    created_at: dt.datetime

    @classmethod
    def from_delivery(cls, delivery: Delivery) -> DeliveryOut:
        """Expects `attempt_log` prefetched."""
        return cls(
            id=delivery.pk,
            channel=delivery.channel,
            address=delivery.address,
            status=delivery.status,
            due_at=delivery.due_at,
            sent_at=delivery.sent_at,
            reason=delivery.reason,
            error=delivery.error,
            attempt_count=delivery.attempts,
            attempts=[
                AttemptOut(
                    started_at=a.started_at, duration_ms=a.duration_ms, outcome=a.outcome, error=a.error
                )
                for a in delivery.attempt_log.all()
            ],
            created_at=delivery.created_at,
        )


class RuleOut(Schema):
    id: int
    event: str
    state: str
    audience: str
    template: str


class RecipientOut(Schema):
    kind: str = Field(
        description="contact, staff, email (an extra address), webhook, or none (the rule found nobody)"
    )
    id: int | None
    name: str


class NotificationOut(Schema):
    id: int
    event_id: int | None
    event_type: str | None
    rule: RuleOut | None
    recipient: RecipientOut
    category: str
    template: str
    skipped: bool = Field(description="Considered but not told; `reason` says why")
    reason: str
    created_at: dt.datetime
    deliveries: list[DeliveryOut]

    @classmethod
    def from_notification(cls, notification: Notification) -> NotificationOut:
        """Expects event and rule selected, deliveries and their attempts prefetched."""
        rule = notification.rule
        event = notification.event
        return cls(
            id=notification.pk,
            event_id=notification.event_id,
            event_type=event.type if event is not None else None,
            rule=RuleOut(
                id=rule.pk, event=rule.event, state=rule.state, audience=rule.audience, template=rule.template
            )
            if rule is not None
            else None,
            recipient=_recipient(notification),
            category=notification.category,
            template=notification.template,
            skipped=notification.skipped,
            reason=notification.reason,
            created_at=notification.created_at,
            deliveries=[DeliveryOut.from_delivery(d) for d in notification.deliveries.all()],
        )


def _recipient(notification: Notification) -> RecipientOut:
    name = notification.recipient_name
    if notification.contact_id is not None:
        return RecipientOut(kind="contact", id=notification.contact_id, name=name)
    if notification.membership_id is not None:
        return RecipientOut(kind="staff", id=notification.membership_id, name=name)
    if notification.webhook_id is not None:
        return RecipientOut(kind="webhook", id=notification.webhook_id, name=name)
    return RecipientOut(kind="email" if notification.email else "none", id=None, name=name)


def _order(context: ApiContext, number: int) -> Order:
    order = Order.objects.filter(seller=context.seller, number=number).select_related("seller").first()
    if order is None:
        raise not_found(pgettext("no such", "order"))
    return order


@router.get("/{number}/events", response=reads({200: list[EventOut]}, 404, 422), operation_id="list_events")
def list_events(request: HttpRequest, number: OrderNumber) -> list[EventOut]:
    """The order's activity log, oldest first: every change, who made it, and its note."""
    order = _order(context_of(request), number)
    events = OrderEvent.objects.filter(order=order).order_by("created_at", "id")
    return [EventOut.from_event(event) for event in events]


@router.get(
    "/{number}/messages", response=reads({200: list[MessageOut]}, 404, 422), operation_id="list_messages"
)
def list_messages(request: HttpRequest, number: OrderNumber) -> list[MessageOut]:
    """The order's thread, oldest first: messages with the customer and internal staff notes."""
    order = _order(context_of(request), number)
    return [MessageOut.from_message(message) for message in thread_for_staff(order)]


@router.post("/{number}/messages", response=writes({201: MessageOut}, 404), operation_id="post_message")
def create_message(request: HttpRequest, number: OrderNumber, payload: MessageIn) -> Status:
    """Write to the customer (they are notified per the rules), or add an internal note (never sent)."""
    context = context_of(request)
    message = post_message(
        _order(context, number), body=payload.body, internal=payload.internal, actor=context.actor
    )
    return Status(201, MessageOut.from_message(message))


@router.get(
    "/{number}/notifications",
    response=reads({200: list[NotificationOut]}, 404, 422),
    operation_id="list_order_notifications",
)
def list_notifications(request: HttpRequest, number: OrderNumber) -> list[NotificationOut]:
    """The delivery trace: everyone each event was (or was not) told, why, on which channels, and every
    attempt. Newest event first."""
    order = _order(context_of(request), number)
    return [
        NotificationOut.from_notification(notification)
        for group in order_trace(order)
        for notification in group.notifications
    ]
