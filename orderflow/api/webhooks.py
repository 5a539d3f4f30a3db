"""/webhooks: endpoints that receive the seller's events (signed per Standard Webhooks), every delivery
and attempt, and manual redelivery. Managing endpoints needs an owner's or manager's token."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import pgettext
from ninja import Field, Query, Router, Schema, Status

from orderflow.api import selectors
from orderflow.api.auth import ApiContext, context_of
from orderflow.api.errors import not_found, reads, writes
from orderflow.api.inputs import CURSOR, RowId, one_of, text
from orderflow.api.order_activity import DeliveryOut
from orderflow.integrations import selectors as integrations
from orderflow.integrations.actions import (
    MAX_DESCRIPTION,
    MAX_URL,
    create_webhook_endpoint,
    delete_webhook_endpoint,
    enable_webhook_endpoint,
    redeliver,
)
from orderflow.integrations.models import WEBHOOK_EVENT_TYPES, WEBHOOK_EVENTS, WebhookEndpoint
from orderflow.integrations.webhooks import sees_full_urls, shown_url
from orderflow.notifications.channels.webhook import selectors as sent
from orderflow.notifications.channels.webhook.emission import message_id
from orderflow.notifications.models import Delivery

router = Router(tags=["webhooks"])

EVENT_TYPES_HELP = "Subscribed event types; empty: all. " + "; ".join(f"{k}: {v}" for k, v in WEBHOOK_EVENTS)


class WebhookOut(Schema):
    id: int
    url: str = Field(
        description="The full URL for read-write tokens of owners and managers; for other tokens only "
        "the scheme and host, e.g. `https://erp.example.com/…` (a path or query may carry credentials)."
    )
    description: str
    event_types: list[str] = Field(description=EVENT_TYPES_HELP)
    is_active: bool
    failing_since: dt.datetime | None
    disabled_at: dt.datetime | None
    disabled_reason: str
    created_at: dt.datetime

    @classmethod
    def from_endpoint(cls, endpoint: WebhookEndpoint, context: ApiContext) -> WebhookOut:
        full = sees_full_urls(context.actor, can_write=context.token.can_write)
        return cls(
            id=endpoint.pk,
            url=shown_url(endpoint, full=full),
            description=endpoint.description,
            event_types=list(endpoint.event_types),
            is_active=endpoint.is_active,
            failing_since=endpoint.failing_since,
            disabled_at=endpoint.disabled_at,
            disabled_reason=endpoint.disabled_reason,
            created_at=endpoint.created_at,
        )


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="whsec_…: verify signatures with it. Shown once, in this response only.")


# An http(s) URL with the user information of RFC 3986, a host name or an IP address (IPv6 in brackets)
# and, if any, a port that exists: the shape `_check_url` in the actions reads. Whether the host is
# public is the action's to judge (private_destination).
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = rf"{_OCTET}(\.{_OCTET}){{3}}"
_H16 = r"[0-9A-Fa-f]{1,4}"
_LS32 = rf"({_H16}:{_H16}|{_IPV4})"
_IPV6 = "|".join(
    [
        rf"({_H16}:){{6}}{_LS32}",
        rf"::({_H16}:){{5}}{_LS32}",
        rf"({_H16})?::({_H16}:){{4}}{_LS32}",
        rf"(({_H16}:){{0,1}}{_H16})?::({_H16}:){{3}}{_LS32}",
        rf"(({_H16}:){{0,2}}{_H16})?::({_H16}:){{2}}{_LS32}",
        rf"(({_H16}:){{0,3}}{_H16})?::{_H16}:{_LS32}",
        rf"(({_H16}:){{0,4}}{_H16})?::{_LS32}",
        rf"(({_H16}:){{0,5}}{_H16})?::{_H16}",
        rf"(({_H16}:){{0,6}}{_H16})?::",
    ]
)
_HOST = rf"([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[({_IPV6})\])"
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)"
WEBHOOK_URL = rf"^https?://([A-Za-z0-9._~!$&'()*+,;=:%-]+@)?{_HOST}(:{_PORT})?([/?#][^\x00-\x20\x7f]*)?$"


class WebhookIn(Schema):
    url: Annotated[str, text(MAX_URL, pattern=WEBHOOK_URL)]
    event_types: list[Annotated[str, one_of(WEBHOOK_EVENT_TYPES)]] = Field(
        default_factory=list, description=EVENT_TYPES_HELP
    )
    description: Annotated[str, text(MAX_DESCRIPTION)] = ""


class WebhookDeliveryOut(DeliveryOut):
    message_id: str = Field(description="The webhook-id header: the same for every attempt and redelivery")
    event_type: str | None
    order_number: int | None

    @classmethod
    def from_webhook_delivery(cls, delivery: Delivery) -> WebhookDeliveryOut:
        notification = delivery.notification
        payload = notification.payload or {}
        order = notification.order
        return cls(
            **dict(DeliveryOut.from_delivery(delivery)),
            message_id=message_id(notification),
            event_type=payload.get("type"),
            order_number=order.number if order is not None else None,
        )


class DeliveryPageOut(Schema):
    items: list[WebhookDeliveryOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class DeliveryQuery(Schema):
    limit: int = Field(50, ge=1, le=100)
    cursor: Annotated[str, text(pattern=CURSOR)] | None = Field(
        None, description="The `next` of the previous page"
    )


def _endpoint(context: ApiContext, endpoint_id: int) -> WebhookEndpoint:
    endpoint = integrations.webhook_of(context.seller, endpoint_id)
    if endpoint is None:
        raise not_found(pgettext("no such", "webhook endpoint"))
    return endpoint


@router.get("", response=reads({200: list[WebhookOut]}), operation_id="list_webhooks")
def list_webhooks(request: HttpRequest) -> list[WebhookOut]:
    context = context_of(request)
    return [WebhookOut.from_endpoint(e, context) for e in integrations.webhooks_of(context.seller)]


@router.post("", response=writes({201: WebhookCreatedOut}), operation_id="create_webhook")
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status:
    """Add an endpoint. The response carries its signing secret, which is never shown again."""
    context = context_of(request)
    endpoint = create_webhook_endpoint(
        context.seller,
        url=payload.url,
        event_types=payload.event_types,
        description=payload.description,
        actor=context.actor,
    )
    shown = WebhookOut.from_endpoint(endpoint, context)
    return Status(201, WebhookCreatedOut(**dict(shown), secret=endpoint.secret))


@router.get("/{endpoint_id}", response=reads({200: WebhookOut}, 404, 422), operation_id="get_webhook")
def get_webhook(request: HttpRequest, endpoint_id: RowId) -> WebhookOut:
    context = context_of(request)
    return WebhookOut.from_endpoint(_endpoint(context, endpoint_id), context)


@router.delete("/{endpoint_id}", response=writes({204: None}, 404), operation_id="delete_webhook")
def delete_webhook(request: HttpRequest, endpoint_id: RowId) -> Status:
    """Remove the endpoint; its pending deliveries are dropped."""
    context = context_of(request)
    delete_webhook_endpoint(_endpoint(context, endpoint_id), actor=context.actor)
    return Status(204, None)


@router.post("/{endpoint_id}/enable", response=writes({200: WebhookOut}, 404), operation_id="enable_webhook")
def enable_webhook(request: HttpRequest, endpoint_id: RowId) -> WebhookOut:
    """Turn a disabled endpoint back on (after fixing the receiver)."""
    context = context_of(request)
    endpoint = enable_webhook_endpoint(_endpoint(context, endpoint_id), actor=context.actor)
    return WebhookOut.from_endpoint(endpoint, context)


@router.get(
    "/{endpoint_id}/deliveries",
    response=reads({200: DeliveryPageOut}, 400, 404, 422),
    operation_id="list_webhook_deliveries",
)
def list_deliveries(request: HttpRequest, endpoint_id: RowId, query: Query[DeliveryQuery]) -> DeliveryPageOut:
    """Every message sent to the endpoint, newest first, with each attempt: when, how long, what happened."""
    endpoint = _endpoint(context_of(request), endpoint_id)
    page = selectors.webhook_deliveries_page(endpoint, limit=query.limit, cursor=query.cursor)
    return DeliveryPageOut(
        items=[WebhookDeliveryOut.from_webhook_delivery(d) for d in page.items], next=page.next
    )


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    response=writes({201: WebhookDeliveryOut}, 404),
    operation_id="redeliver_webhook",
)
def post_redeliver(request: HttpRequest, endpoint_id: RowId, delivery_id: RowId) -> Status:
    """Send the message again now, as a new delivery with the same webhook-id."""
    context = context_of(request)
    endpoint = _endpoint(context, endpoint_id)
    delivery = sent.webhook_delivery_of(endpoint, delivery_id)
    if delivery is None:
        raise not_found(pgettext("no such", "delivery"))
    again = redeliver(delivery, actor=context.actor)
    found = sent.webhook_delivery_of(endpoint, again.pk)
    assert found is not None
    return Status(201, WebhookDeliveryOut.from_webhook_delivery(found))
