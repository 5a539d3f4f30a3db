"""The activity log of an order as staff read it: one sentence per event, states named by their labels;
and the notification trace, grouped under those same sentences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from orderflow.core import formatting
from orderflow.core.formatting import day, money, when
from orderflow.leads.rules import PEOPLE_EVENTS, describe_event
from orderflow.notifications.models import CallTask, Feedback, Notification
from orderflow.notifications.selectors import order_trace
from orderflow.orders.models import EventType, Order, OrderEvent, Shipment, describe_line_change
from orderflow.workflows.definition import Workflow


@dataclass(frozen=True)
class ActivityEntry:
    at: dt.datetime
    actor: str
    summary: str
    note: str
    staff_only: bool


def activity(order: Order, locale: str) -> list[ActivityEntry]:
    """The order's events, oldest first (uses the prefetched `events` when there are any)."""
    workflow = order.workflow
    return [
        ActivityEntry(
            at=event.created_at,
            actor=event.actor_name,
            summary=_summary(event, workflow, locale),
            note=event.note,
            staff_only=not event.customer_visible,
        )
        for event in order.events.all()
    ]


@dataclass(frozen=True)
class OrderExtras:
    """What the customer chose or said and what staff did outside the status: shown with the details."""

    delivery_time: dt.datetime | None
    feedback: Feedback | None
    stars: str
    calls: list[CallTask]
    shipments: list[Shipment]


def order_extras(order: Order) -> OrderExtras:
    slot = (
        OrderEvent.objects.filter(order=order, type=EventType.DELIVERY_TIME)
        .order_by("-created_at", "-id")
        .values_list("data__slot", flat=True)
        .first()
    )
    feedback = Feedback.objects.filter(order=order).first()
    return OrderExtras(
        delivery_time=dt.datetime.fromisoformat(slot) if isinstance(slot, str) else None,
        feedback=feedback,
        stars=stars(feedback.rating) if feedback else "",
        calls=list(
            CallTask.objects.filter(order=order, done_at__isnull=False)
            .select_related("contact")
            .order_by("done_at")
        ),
        shipments=list(Shipment.objects.filter(order=order).order_by("shipped_at", "id")),
    )


@dataclass(frozen=True)
class TraceEntry:
    """One event and the notifications it caused (see `notifications.selectors.order_trace`)."""

    at: dt.datetime | None
    actor: str
    summary: str
    notifications: list[Notification]


def notification_trace(order: Order, locale: str) -> list[TraceEntry]:
    """Every notification decision about the order, under the event that caused it, newest first."""
    workflow = order.workflow
    return [
        TraceEntry(
            at=group.event.created_at if group.event else None,
            actor=group.event.actor_name if group.event else "",
            summary=_summary(group.event, workflow, locale) if group.event else _("Without an order event"),
            notifications=group.notifications,
        )
        for group in order_trace(order)
    ]


def _state(workflow: Workflow, key: str, locale: str) -> str:
    state = workflow.states.get(key)
    return state.label(locale) if state is not None else key


def _summary(event: OrderEvent, workflow: Workflow, locale: str) -> str:
    """One sentence in the active language; states by the workflow's labels in `locale`."""
    data = event.data or {}
    before = _state(workflow, event.from_state, locale)
    after = _state(workflow, event.to_state, locale)
    if event.type in PEOPLE_EVENTS:
        return describe_event(event.type, data)
    match event.type:
        case EventType.PLACED:
            behalf = data.get("on_behalf_of")
            if isinstance(behalf, dict) and behalf.get("name"):
                return _("Order placed on behalf of %(name)s (%(state)s)") % {
                    "name": behalf["name"],
                    "state": after,
                }
            return _("Order placed (%(state)s)") % {"state": after}
        case EventType.SEEN:
            return _("Opened by staff for the first time")
        case EventType.TRANSITIONED:
            return _("Status changed from %(before)s to %(after)s") % {"before": before, "after": after}
        case EventType.ASSIGNED:
            name = data.get("assignee")
            return _("Assigned to %(name)s") % {"name": name} if name else _("Unassigned")
        case EventType.ESTIMATE_SET:
            date = data.get("date")
            if not date:
                return _("Estimated completion cleared")
            return _("Estimated completion set to %(date)s") % {"date": day(date)}
        case EventType.LINE_UPDATED:
            return " ".join(describe_line_change(data))
        case EventType.CANCELLED:
            return _("Cancelled (was %(state)s)") % {"state": before}
        case EventType.REFUNDED:
            return _("Refunded %(amount)s") % {"amount": money(data.get("amount"), data.get("currency", ""))}
        case EventType.DELIVERY_TIME if data.get("slot"):
            slot = dt.datetime.fromisoformat(data["slot"])
            return _("Delivery time chosen: %(time)s") % {"time": when(slot, weekday=True)}
        case EventType.ARCHIVED:
            if event.to_state and event.to_state != event.from_state:
                return _("Archived (%(state)s)") % {"state": after}
            return _("Archived")
        case EventType.DELIVERY_TIME:
            return _("Delivery time chosen")
        case EventType.FEEDBACK:
            rating = data.get("rating")
            if not isinstance(rating, int):
                return _("Feedback received")
            return _("Rated the service %(stars)s (%(rating)s/5)") % {
                "stars": stars(rating),
                "rating": rating,
            }
        case EventType.CALL_DONE:
            return _("Called %(whom)s: %(outcome)s") % {
                "whom": data.get("contact") or _("the customer"),
                "outcome": data.get("outcome", ""),
            }
        case EventType.SHIPPED:
            text = _("Shipped with %(carrier)s, tracking number %(number)s") % {
                "carrier": data.get("carrier", ""),
                "number": data.get("tracking_number", ""),
            }
            expected = data.get("estimated_delivery")
            if not expected:
                return text
            return _("%(shipped)s; estimated delivery %(date)s") % {
                "shipped": text,
                "date": formatting.day(dt.date.fromisoformat(expected)),
            }
    return str(event.get_type_display())


def stars(rating: int) -> str:
    """A rating out of five as stars: ★★★★☆."""
    rating = max(0, min(5, rating))
    return "\u2605" * rating + "\u2606" * (5 - rating)
