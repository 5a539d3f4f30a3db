"""Default rules: what a workflow's `notify` declarations mean as rows a seller can then edit."""

from __future__ import annotations

from orderflow.notifications.models import Action, Audience, Category, Event, NotificationRule
from orderflow.workflows.definition import Workflow
from orderflow.workflows.models import OrderType

STAFF_AUDIENCES = {Audience.STAFF, Audience.ASSIGNEE, Audience.WATCHERS, Audience.PEOPLE_RECIPIENTS}

# event -> (template, category) for the events that are not status changes.
EVENT_DEFAULTS: dict[str, tuple[str, str]] = {
    Event.ASSIGNED: ("order_assigned", Category.ASSIGNMENTS),
    Event.CANCELLED: ("order_cancelled", Category.TRANSACTIONAL),
    Event.REFUNDED: ("order_refunded", Category.TRANSACTIONAL),
    Event.MESSAGE: ("new_message", Category.MESSAGES),
    Event.FEEDBACK_DUE: ("feedback_request", Category.FEEDBACK),
    Event.ESTIMATE_CHANGED: ("estimate_changed", Category.ORDER_UPDATES),
    Event.SHIPPED: ("order_shipped", Category.ORDER_UPDATES),
    Event.LINES_CHANGED: ("order_lines_changed", Category.ORDER_UPDATES),
}


def default_rules(workflow: Workflow) -> list[dict[str, str]]:
    """The rules a workflow declares, as field values (no seller, no order type)."""
    rules: list[dict[str, str]] = []
    for event, audiences in workflow.notify.items():
        for audience in audiences:
            if event == Event.PLACED:
                staff_side = audience in STAFF_AUDIENCES
                template = "new_order" if staff_side else "order_received"
                category: str = Category.NEW_ORDERS if staff_side else Category.ORDER_UPDATES
            else:
                template, category = EVENT_DEFAULTS[event]
            action: str = Action.RATE if event == Event.FEEDBACK_DUE else ""
            if event == Event.MESSAGE and audience not in STAFF_AUDIENCES:
                action = Action.REPLY
            rules.append(
                dict(
                    event=event,
                    state="",
                    audience=audience,
                    template=template,
                    category=category,
                    action=action,
                )
            )
    for transition in workflow.transitions:
        for audience in transition.notify:
            rules.append(
                dict(
                    event=Event.STATUS_CHANGED,
                    state=transition.target,
                    audience=audience,
                    template="status_changed",
                    category=Category.ORDER_UPDATES,
                    action=transition.ask or "",
                )
            )
    unique = {(r["event"], r["state"], r["audience"]): r for r in rules}
    return list(unique.values())


def sync_default_rules(order_type: OrderType, workflow: Workflow) -> int:
    """Add the workflow's declared rules that the order type lacks; never touch a seller's own edits.

    Called when an order type is installed and when a new workflow version is published, so that a new
    state (the shop switching to delivery) gets its rules. Returns how many rules were added.
    """
    existing = set(
        NotificationRule.objects.filter(order_type=order_type).values_list("event", "state", "audience")
    )
    new = [
        NotificationRule(seller_id=order_type.seller_id, order_type=order_type, **fields)
        for fields in default_rules(workflow)
        if (fields["event"], fields["state"], fields["audience"]) not in existing
    ]
    NotificationRule.objects.bulk_create(new)
    return len(new)
