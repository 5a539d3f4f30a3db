"""The activity log of an order as staff read it: one sentence per event, states named by their labels;
and the notification trace, grouped under those same sentences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from orderflow.notifications.models import Notification
from orderflow.notifications.selectors import order_trace
from orderflow.orders.models import EventType, Order, OrderEvent, describe_line_change
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
            return _("Estimated completion set to %(date)s") % {"date": date}
        case EventType.LINE_UPDATED:
            return " ".join(describe_line_change(data))
        case EventType.CANCELLED:
            return _("Cancelled (was %(state)s)") % {"state": before}
        case EventType.REFUNDED:
            return _("Refunded %(amount)s %(currency)s") % {
                "amount": data.get("amount", ""),
                "currency": data.get("currency", ""),
            }
        case EventType.ARCHIVED:
            if event.to_state and event.to_state != event.from_state:
                return _("Archived (%(state)s)") % {"state": after}
            return _("Archived")
    return str(event.get_type_display())
