"""From an order event to outbox rows, inside the transaction of the change that caused it.

Nothing is sent here. Every decision (who, which channel, held until when, suppressed or superseded and
why) is written in words on the Notification and Delivery rows, which is what the "why" trace shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from orderflow.notifications import windows
from orderflow.notifications.models import (
    Category,
    Channel,
    Delivery,
    Event,
    Notification,
    NotificationRule,
    NotificationSettings,
    Status,
)
from orderflow.notifications.recipients import Recipient, choice, recipients, schedule_for
from orderflow.orders.models import EventType, Order, OrderEvent

WAKE_CHANNEL = "orderflow_outbox"
_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Record changes without telling anyone: for loading history (the demo, an import of past
    orders), never for live changes."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


HELD_CHANNELS = {Channel.EMAIL, Channel.SMS, Channel.MESSENGER, Channel.CALL}


def _event_keys(event: OrderEvent, order: Order) -> list[tuple[str, str]]:
    if event.type == EventType.PLACED:
        return [(Event.PLACED, "")]
    if event.type == EventType.TRANSITIONED:
        keys: list[tuple[str, str]] = [(Event.STATUS_CHANGED, event.to_state)]
        if order.workflow.state(event.to_state).category == "done":
            keys.append((Event.FEEDBACK_DUE, ""))
        return keys
    simple: dict[str, str] = {
        EventType.CANCELLED: Event.CANCELLED,
        EventType.REFUNDED: Event.REFUNDED,
        EventType.ASSIGNED: Event.ASSIGNED,
        EventType.MESSAGE: Event.MESSAGE,
    }
    return [(simple[event.type], "")] if event.type in simple else []


def settings_for(seller_id: int) -> NotificationSettings:
    found, _ = NotificationSettings.objects.get_or_create(seller_id=seller_id)
    return found


def emit(event: OrderEvent) -> list[Notification]:
    """Write the notifications an event calls for. Caller holds the transaction of the change."""
    if _muted.get():
        return []
    # Not the assignee: only rules for the assignee read it (recipients() loads it then), and its two
    # joins made every event's query slower than that separate read (bench/README.md).
    order = Order.objects.select_related("seller", "customer", "placed_by", "workflow_version").get(
        pk=event.order_id
    )
    from orderflow.integrations.webhooks import emit_webhooks  # integrations builds on notifications

    hooks = emit_webhooks(event, order)
    keys = _event_keys(event, order)
    if not keys:
        if hooks and connection.vendor == "postgresql":
            transaction.on_commit(_wake_worker)
        return []
    now = event.created_at
    seller_settings = settings_for(order.seller_id)
    written: list[Notification] = []
    for key, state in keys:
        rules = NotificationRule.objects.filter(
            Q(order_type=order.order_type_id) | Q(order_type=None),
            Q(state="") | Q(state=state),
            seller=order.seller_id,
            event=key,
            is_active=True,
        ).order_by("pk")
        base = now
        if key == Event.FEEDBACK_DUE:
            base = now + dt.timedelta(minutes=seller_settings.feedback_delay_minutes)
        for rule in rules:
            people, nobody = recipients(rule.audience, order)
            if not people:
                written.append(_skipped(order, event, rule, nobody, now))
            for person in people:
                written.append(_notify(order, event, rule, person, base, now, seller_settings))
    if (written or hooks) and connection.vendor == "postgresql":
        transaction.on_commit(_wake_worker)
    return written


def tell_staff(seller_id: int, *, template: str, payload: dict[str, str]) -> list[Notification]:
    """A message to the seller's owners and managers that is about the seller, not an order
    (an integration stopped working). Email and in-app, at once."""
    from orderflow.accounts.models import Membership, Role

    now = timezone.now()
    managers = Membership.objects.filter(
        seller_id=seller_id, role__in=[Role.OWNER, Role.MANAGER], is_active=True
    ).select_related("user", "seller")
    written = []
    for membership in managers:
        notification = Notification.objects.create(
            seller_id=seller_id,
            membership=membership,
            recipient_name=membership.display_name,
            locale=membership.seller.locale,
            time_zone=membership.seller.time_zone,
            category=Category.TRANSACTIONAL,
            template=template,
            payload=payload,
            idempotency_key=f"{template}:{now.timestamp()}:{membership.pk}",
            reason=f"{membership.display_name} manages {membership.seller.name}.",
            created_at=now,
        )
        for channel in (Channel.EMAIL, Channel.IN_APP):
            address = membership.user.email if channel == Channel.EMAIL else f"staff:{membership.pk}"
            if address:
                _delivery(
                    notification, channel, address, Status.PENDING, now, f"{channel}: sent to managers.", now
                )
        written.append(notification)
    if written and connection.vendor == "postgresql":
        transaction.on_commit(_wake_worker)
    return written


def _describe_rule(rule: NotificationRule, order: Order) -> str:
    states = order.workflow.states
    into = f" into {states[rule.state].label(order.seller.locale)}" if rule.state in states else ""
    return f"Rule #{rule.pk} ({rule.get_event_display()}{into}, {rule.get_audience_display().lower()})"


def _skipped(
    order: Order, event: OrderEvent, rule: NotificationRule, why: str, now: dt.datetime
) -> Notification:
    return Notification.objects.create(
        seller_id=order.seller_id,
        order=order,
        event=event,
        rule=rule,
        recipient_name="nobody",
        category=rule.category,
        template=rule.template,
        idempotency_key=f"{event.pk}:{rule.pk}:nobody",
        skipped=True,
        reason=f"{_describe_rule(rule, order)} fired but told nobody: {why}",
        created_at=now,
    )


def _notify(
    order: Order,
    event: OrderEvent,
    rule: NotificationRule,
    person: Recipient,
    base: dt.datetime,
    now: dt.datetime,
    seller_settings: NotificationSettings,
) -> Notification:
    notification, created = Notification.objects.get_or_create(
        idempotency_key=f"{event.pk}:{rule.pk}:{person.key}",
        defaults=dict(
            seller_id=order.seller_id,
            order=order,
            event=event,
            rule=rule,
            contact=person.contact,
            membership=person.membership,
            email=person.email if not person.contact and not person.membership else "",
            recipient_name=person.name,
            locale=person.locale,
            time_zone=person.time_zone,
            category=rule.category,
            template=rule.template,
            reason=f"{_describe_rule(rule, order)} chose {person.name}: {person.why}.",
            created_at=now,
        ),
    )
    if not created:
        return notification
    not_told = ""
    if person.is_actor_of(event):
        not_told = "they made this change themselves"
    elif event.type == EventType.MESSAGE and event.data.get("internal") and person.membership is None:
        not_told = "an internal note is never sent outside the seller's staff"
    if not_told:
        notification.skipped = True
        notification.reason += f" Not told: {not_told}."
        notification.save(update_fields=["skipped", "reason"])
        return notification
    decided = choice(person, rule.category)
    if not decided.enabled:
        for channel in decided.channels:
            _delivery(
                notification, channel, "", Status.SUPPRESSED, now, f"{channel}: not sent, {decided.why}.", now
            )
        return notification
    schedule, schedule_source = schedule_for(person, seller_settings.default_window)
    for channel in decided.channels:
        address, problem = _address(person, channel, order)
        reason = f"{channel}: from {decided.why}."
        if problem:
            _delivery(notification, channel, "", Status.FAILED, now, f"{reason} Cannot send: {problem}", now)
            continue
        due = base
        if base > now:
            reason += (
                f" Feedback is asked {int((base - now).total_seconds() // 60)} minutes after completion."
            )
        if rule.urgent:
            reason += " Urgent: delivery hours do not apply."
        elif channel in HELD_CHANNELS and schedule is not None:
            due = windows.next_open(base, person.time_zone, schedule)
            if due > base:
                local = due.astimezone(ZoneInfo(person.time_zone))
                reason += (
                    f" Held by {schedule_source} ({windows.describe(schedule)}, {person.time_zone}) "
                    f"until {local:%a %d %b %H:%M}."
                )
        delivery = _delivery(notification, channel, address, Status.PENDING, due, reason, now)
        if rule.category == Category.ORDER_UPDATES and due > now:
            _supersede_held(delivery, f"{order.pk}:{person.key}:{channel}", now)
    return notification


def _address(person: Recipient, channel: str, order: Order) -> tuple[str, str]:
    """Where this channel reaches the person, or why it cannot."""
    contact, membership = person.contact, person.membership
    if channel == Channel.EMAIL:
        return (person.email, "") if person.email else ("", f"{person.name} has no email address.")
    if channel == Channel.SMS:
        phone = contact.phone if contact else membership.phone if membership else ""
        return (phone, "") if phone else ("", f"{person.name} has no phone number for SMS.")
    if channel == Channel.MESSENGER:
        url = contact.messenger_url if contact else ""
        return (url, "") if url else ("", f"{person.name} has no messenger address.")
    if channel == Channel.IN_APP:
        if membership is not None or (contact is not None and contact.user_id):
            return person.key, ""
        return "", f"{person.name} has no login to see in-app notifications."
    if channel == Channel.CALL:
        if contact is None:
            return "", "call tasks are for calling customers."
        return (contact.phone, "") if contact.phone else ("", f"{person.name} has no phone number to call.")
    return "", f"unknown channel {channel!r}."


def _delivery(
    notification: Notification,
    channel: str,
    address: str,
    status: str,
    due: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> Delivery:
    return Delivery.objects.create(
        notification=notification,
        channel=channel,
        address=address,
        status=status,
        due_at=due,
        reason=reason,
        created_at=now,
        coalesce_key=f"{notification.order_id}:{_recipient_key(notification)}:{channel}"
        if notification.category == Category.ORDER_UPDATES
        else "",
    )


def _recipient_key(notification: Notification) -> str:
    if notification.contact_id:
        return f"contact:{notification.contact_id}"
    if notification.membership_id:
        return f"staff:{notification.membership_id}"
    return f"email:{notification.email}"


def _supersede_held(newest: Delivery, key: str, now: dt.datetime) -> None:
    """Older status messages still held for this person, order and channel give way to the newest."""
    held = Delivery.objects.filter(coalesce_key=key, status=Status.PENDING, due_at__gt=now).exclude(
        pk=newest.pk
    )
    for older in held:
        older.status = Status.SUPERSEDED
        older.superseded_by = newest
        older.reason += (
            f" Superseded by delivery #{newest.pk}: one message with the current status goes instead."
        )
        older.save(update_fields=["status", "superseded_by", "reason"])


def _wake_worker() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {WAKE_CHANNEL}")
