"""What a customer may see of their order: never internal notes, never staff-only events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact
from orderflow.conversations.models import Message
from orderflow.core.formatting import day, money, when
from orderflow.notifications.models import Feedback
from orderflow.orders.models import (
    STAFF_ONLY_EVENTS,
    EventType,
    Order,
    OrderEvent,
    Shipment,
    describe_line_change,
)
from orderflow.quotes.selectors import QUOTE_EVENT_TYPES, describe_quote_event
from orderflow.workflows.definition import Workflow


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    text: str
    note: str
    kind: str  # the event's type: the page says what the note is (a refund's reason)


def order_for_contact(order_id: int, contact_id: int) -> tuple[Order, Contact]:
    """The order and contact a link names; DoesNotExist unless the contact belongs to its customer."""
    contact = Contact.objects.select_related("customer__seller").get(pk=contact_id)
    order = (
        Order.objects.select_related("seller", "customer", "workflow_version", "order_type")
        .prefetch_related("lines")
        .get(pk=order_id, customer_id=contact.customer_id)
    )
    return order, contact


def orders_of_contact(contact: Contact) -> QuerySet[Order]:
    """The orders of the contact's customer at its seller, latest activity first: what "My orders" lists.
    Only the columns a customer may see are used by the page; staff fields stay unread."""
    return (
        Order.objects.filter(seller_id=contact.customer.seller_id, customer_id=contact.customer_id)
        .select_related("workflow_version")
        .order_by("-last_activity_at", "-pk")
    )


def order_of_contact(contact: Contact, number: int) -> Order:
    """One order of the contact's customer by its number; DoesNotExist for anyone else's."""
    return (
        Order.objects.select_related("seller", "customer", "workflow_version", "order_type")
        .prefetch_related("lines")
        .get(seller_id=contact.customer.seller_id, customer_id=contact.customer_id, number=number)
    )


def timeline(order: Order, locale: str) -> list[TimelineEntry]:
    workflow = order.workflow
    entries = []
    events = (
        OrderEvent.objects.filter(order=order)
        .exclude(type__in=STAFF_ONLY_EVENTS)
        .order_by("created_at", "id")
    )
    for event in events:
        text = _describe(event, workflow, locale)
        if text:
            entries.append(TimelineEntry(at=event.created_at, text=text, note=event.note, kind=event.type))
    return entries


def _describe(event: OrderEvent, workflow: Workflow, locale: str) -> str:
    def label(state: str) -> str:
        return workflow.state(state).customer_label(locale) if state in workflow.states else state

    if event.type in QUOTE_EVENT_TYPES:
        return describe_quote_event(event)
    if event.type == EventType.PLACED:
        return _("Order placed")
    if event.type == EventType.TRANSITIONED:
        if event.from_state and label(event.from_state) == label(event.to_state):
            return ""  # a move staff see but customers do not (same customer label)
        return _("Status: %(status)s") % {"status": label(event.to_state)}
    if event.type == EventType.CANCELLED:
        return _("Order cancelled")
    if event.type == EventType.REFUNDED:
        amount = money(event.data.get("amount"), event.data.get("currency", ""))
        return _("Refund of %(amount)s") % {"amount": amount}
    if event.type == EventType.ESTIMATE_SET:
        return _("Estimated completion: %(date)s") % {"date": day(event.data.get("date")) or _("not set")}
    if event.type == EventType.LINE_UPDATED:
        return " ".join(describe_line_change(event.data or {}))
    if event.type == EventType.DELIVERY_TIME:
        if event.data.get("slot"):
            slot = dt.datetime.fromisoformat(event.data["slot"])
            return _("Delivery time chosen: %(time)s") % {"time": when(slot, weekday=True)}
        return _("Delivery time chosen")
    if event.type == EventType.SHIPPED:
        return _("Shipped with %(carrier)s, tracking number %(number)s") % {
            "carrier": event.data.get("carrier", ""),
            "number": event.data.get("tracking_number", ""),
        }
    if event.type == EventType.FEEDBACK:
        return _("You rated the service %(rating)s/5") % {"rating": event.data.get("rating")}
    return ""


def chosen_delivery_time(order: Order) -> dt.datetime | None:
    event = (
        OrderEvent.objects.filter(order=order, type=EventType.DELIVERY_TIME).order_by("-created_at").first()
    )
    return dt.datetime.fromisoformat(event.data["slot"]) if event else None


def feedback_for(order: Order) -> Feedback | None:
    return Feedback.objects.filter(order=order).first()


def public_messages(order: Order) -> list[Message]:
    return list(Message.objects.for_customer().filter(order=order))


def shipments_of(order: Order) -> list[Shipment]:
    return list(Shipment.objects.filter(order=order).order_by("shipped_at", "id"))
