"""What happened on an order: its activity log, its message thread, and its notification trace."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import pydantic
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import pgettext
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from pydantic import StrictBool

from orderflow.api.auth import ApiContext, context_of
from orderflow.api.errors import not_found, reads, writes
from orderflow.api.inputs import OrderNumber, text
from orderflow.api.schemas import ActorOut, EventOut
from orderflow.conversations.actions import MAX_BODY, post_message
from orderflow.conversations.files import download, read_upload
from orderflow.conversations.models import Attachment, Message
from orderflow.conversations.selectors import attachment_for_staff, thread_for_staff
from orderflow.core.logmask import mask_secrets
from orderflow.notifications.models import Delivery, Notification
from orderflow.notifications.selectors import order_trace
from orderflow.orders.models import Order, OrderEvent

router = Router(tags=["orders"])


class AttachmentOut(Schema):
    id: int
    name: str = Field(description="The file's name, cleaned (no folders, at most 150 characters)")
    size: int = Field(description="In bytes")
    content_type: str = Field(description="Judged from the content, not from the name")
    sha256: str = Field(description="SHA-256 of the content, hexadecimal")

    @classmethod
    def from_attachment(cls, attachment: Attachment) -> AttachmentOut:
        return cls(
            id=attachment.pk,
            name=attachment.name,
            size=attachment.size,
            content_type=attachment.content_type,
            sha256=attachment.sha256,
        )


class MessageOut(Schema):
    id: int
    author: ActorOut
    body: str
    internal: bool = Field(description="A staff note: never shown or sent to the customer")
    created_at: dt.datetime
    attachments: list[AttachmentOut] = Field(
        description="Its files; download one at /orders/{number}/attachments/{id}"
    )

    @classmethod
    def from_message(cls, message: Message) -> MessageOut:
        return cls(
            id=message.pk,
            author=ActorOut(kind=message.author_kind, name=message.author_name),
            body=message.body,
            internal=message.internal,
            created_at=message.created_at,
            attachments=[AttachmentOut.from_attachment(a) for a in message.attachments.all()],
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
            # Service URLs carry credentials: masked here as in the outbox (core.logmask).
            address=mask_secrets(delivery.address),
            status=delivery.status,
            due_at=delivery.due_at,
            sent_at=delivery.sent_at,
            reason=delivery.reason,
            error=mask_secrets(delivery.error),
            attempt_count=delivery.attempts,
            attempts=[
                AttemptOut(
                    started_at=a.started_at,
                    duration_ms=a.duration_ms,
                    outcome=a.outcome,
                    error=mask_secrets(a.error),
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


_MESSAGE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": MessageIn.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["body"],
                "properties": {
                    "body": MessageIn.model_json_schema()["properties"]["body"],
                    "internal": {"type": "boolean", "default": False},
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "maxItems": settings.ATTACHMENT_MAX_FILES,
                        "description": "Up to ATTACHMENT_MAX_FILES files (default 5) of at most "
                        "ATTACHMENT_MAX_BYTES each (default 5 MiB); judged by their content",
                    },
                },
            }
        },
    },
}


def _message_input(request: HttpRequest) -> tuple[MessageIn, list[tuple[str, bytes]]]:
    """The message from a JSON body, or from a multipart form with its files."""
    if request.content_type == "multipart/form-data":
        # A form's boolean is the text "true" or "false" (as the schema says); anything else is refused.
        internal = request.POST.get("internal", "false")
        data: Any = {
            "body": request.POST.get("body"),
            "internal": {"true": True, "false": False}.get(internal, internal),
        }
        if request.POST.getlist("files"):  # a text field where a file belongs
            raise ValidationError(
                [
                    {
                        "loc": ("body", "payload", "files"),
                        "msg": "Each item must be a file",
                        "type": "file_type",
                    }
                ]
            )
        files = [(upload.name or "", read_upload(upload)) for upload in request.FILES.getlist("files")]
    else:
        try:
            data = json.loads(request.body or b"null")
        except ValueError:
            raise HttpError(400, "invalid_json") from None
        files = []
    try:
        return MessageIn.model_validate(data), files
    except pydantic.ValidationError as exc:
        errors = [{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors(include_url=False)]
        raise ValidationError(errors) from None


@router.post(
    "/{number}/messages",
    response=writes({201: MessageOut}, 404),
    operation_id="post_message",
    openapi_extra={"requestBody": _MESSAGE_BODY},
)
def create_message(request: HttpRequest, number: OrderNumber) -> Status:
    """Write to the customer (they are notified per the rules), or add an internal note (never sent).
    As JSON, or as `multipart/form-data` with `body`, `internal` and up to five `files`."""
    context = context_of(request)
    order = _order(context, number)
    payload, files = _message_input(request)
    message = post_message(
        order, body=payload.body, internal=payload.internal, files=files, actor=context.actor
    )
    return Status(201, MessageOut.from_message(message))


@router.get(
    "/{number}/attachments/{attachment_id}",
    response=reads({200: None}, 404, 422),
    operation_id="download_attachment",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as a download",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request: HttpRequest, number: OrderNumber, attachment_id: int) -> HttpResponse:
    """One file of the order's thread (of a message or an internal note), as it was attached."""
    attachment = attachment_for_staff(_order(context_of(request), number), attachment_id)
    if attachment is None:
        raise not_found(pgettext("no such", "file"))
    return download(attachment)


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
