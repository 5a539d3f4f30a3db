"""From an order event to outbox rows, inside the transaction of the change that caused it.

Nothing is sent here. Every decision (who, which channel, held until when, suppressed or superseded and
why) is written in words on the Notification and Delivery rows, which is what the "why" trace shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from orderflow.core import formatting
from orderflow.notifications import windows
from orderflow.notifications.channels import registry
from orderflow.notifications.channels.webhook.emission import emit_webhooks
from orderflow.notifications.models import (
    Category,
    Delivery,
    Event,
    Feedback,
    Notification,
    NotificationRule,
    NotificationSettings,
    Status,
)
from orderflow.notifications.outbox import wake_worker_on_commit
from orderflow.notifications.recipients import (
    Choice,
    Recipient,
    decide,
    preferences_of,
    recipients,
    schedule_for,
)
from orderflow.orders.models import EventType, Order, OrderEvent

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


def _event_keys(event: OrderEvent, order: Order) -> list[tuple[str, str]]:
    if event.type == EventType.PLACED:
        return [(Event.PLACED, "")]
    if event.type == EventType.TRANSITIONED:
        keys: list[tuple[str, str]] = [(Event.STATUS_CHANGED, event.to_state)]
        # Asked once: an order the customer already rated (before reaching another done state) is not.
        if (
            order.workflow.state(event.to_state).category == "done"
            and not Feedback.objects.filter(order_id=order.pk).exists()
        ):
            keys.append((Event.FEEDBACK_DUE, ""))
        return keys
    if event.type == EventType.PEOPLE_ADDED:
        # One digest per save, when it added someone (updates alone tell nobody).
        return [(Event.PEOPLE_ADDED, "")] if (event.data or {}).get("created") else []
    if event.type == EventType.ESTIMATE_SET:
        # A date set or changed is news for the customer; a date taken away tells nobody anything.
        return [(Event.ESTIMATE_CHANGED, "")] if (event.data or {}).get("date") else []
    simple: dict[str, str] = {
        EventType.CANCELLED: Event.CANCELLED,
        EventType.REFUNDED: Event.REFUNDED,
        EventType.ASSIGNED: Event.ASSIGNED,
        EventType.MESSAGE: Event.MESSAGE,
        EventType.SHIPPED: Event.SHIPPED,
        EventType.LINE_UPDATED: Event.LINES_CHANGED,
    }
    return [(simple[event.type], "")] if event.type in simple else []


def settings_for(seller_id: int) -> NotificationSettings:
    found, _created = NotificationSettings.objects.get_or_create(seller_id=seller_id)
    return found


def notify(*events: OrderEvent, order: Order | None = None) -> None:
    """Tell whoever should know about the events of one change: the last step of an action, in its
    transaction (nothing is sent before it commits; a rollback takes the messages with it).

    `order`: the events' order as the action holds it, locked and with every change applied; None: read
    afresh for each event."""
    for event in events:
        emit(event, order)


def emit(event: OrderEvent, order: Order | None = None) -> list[Notification]:
    """Write the notifications an event calls for. Caller holds the transaction of the change.

    `order` is the event's order as the caller holds it: read under its row lock in this transaction,
    with the change applied (the order actions pass it). Without it, it is read here.
    """
    if _muted.get():
        return []
    if order is None:
        # Not the assignee: only rules for the assignee read it (recipients() loads it then), and its two
        # joins made every event's query slower than that separate read (bench/README.md).
        order = Order.objects.select_related("seller", "customer", "placed_by", "workflow_version").get(
            pk=event.order_id
        )
    hooks = emit_webhooks(event, order)
    keys = _event_keys(event, order)
    # The reasons written for the trace are read by the seller's staff: in the seller's language.
    with translation.override(order.seller.locale):
        written = _Change(order, event).tell(keys) if keys else []
    if written or hooks:
        wake_worker_on_commit()
    return written


@dataclass
class _Told:
    """One notification planned for a change: the rule, the person (None: the rule told nobody) and the
    time its deliveries are due from."""

    rule: NotificationRule
    person: Recipient | None
    base: dt.datetime
    notification: Notification


class _Change:
    """The notifications of one event, written with a fixed number of queries however many rules and
    people it concerns: the rules in one query, each audience once (people with their own delivery
    hours), the notifications in one insert, everyone's preferences in one query, the deliveries in one
    insert; the seller's settings only if needed. The decisions and their reasons are the ones deciding
    person by person gave."""

    def __init__(self, order: Order, event: OrderEvent) -> None:
        self.order, self.event, self.now = order, event, event.created_at
        self._settings: NotificationSettings | None = None

    @property
    def seller_settings(self) -> NotificationSettings:
        """Read when first needed: a feedback delay, or delivery hours for someone without their own."""
        if self._settings is None:
            self._settings = settings_for(self.order.seller_id)
        return self._settings

    def tell(self, keys: list[tuple[str, str]]) -> list[Notification]:
        planned = self._plan(keys)
        new = _insert_new([told.notification for told in planned])
        if len(new) < len(planned):
            # Written before, by an earlier emit of this event: they stay as they are and get no more
            # deliveries, as get_or_create had it one by one.
            earlier = Notification.objects.in_bulk(
                [
                    t.notification.idempotency_key
                    for t in planned
                    if t.notification.idempotency_key not in new
                ],
                field_name="idempotency_key",
            )
            for told in planned:
                told.notification = earlier.get(told.notification.idempotency_key, told.notification)
        to_tell = [
            t
            for t in planned
            if t.person is not None and t.notification.idempotency_key in new and not t.notification.skipped
        ]
        deliveries = self._deliveries(to_tell)
        Delivery.objects.bulk_create([delivery for delivery, _key in deliveries])
        for index, (delivery, coalesce_key) in enumerate(deliveries):
            if coalesce_key:
                later = [d.pk for d, _key in deliveries[index + 1 :]]
                _supersede_held(delivery, coalesce_key, self.now, not_yet=later)
        return [told.notification for told in planned]

    def _plan(self, keys: list[tuple[str, str]]) -> list[_Told]:
        order, event = self.order, self.event
        rules = _rules(order, keys)
        audiences: dict[str, tuple[list[Recipient], str]] = {}
        planned: list[_Told] = []
        for key, _state in keys:
            base = self.now
            if key == Event.FEEDBACK_DUE and rules[key]:
                base = self.now + dt.timedelta(minutes=self.seller_settings.feedback_delay_minutes)
            for rule in rules[key]:
                if rule.audience not in audiences:
                    audiences[rule.audience] = recipients(rule.audience, order)
                people, nobody = audiences[rule.audience]
                if not people:
                    planned.append(_Told(rule, None, base, _nobody(order, event, rule, nobody, self.now)))
                for person in people:
                    planned.append(
                        _Told(rule, person, base, _notification(order, event, rule, person, self.now))
                    )
        return planned

    def _deliveries(self, planned: list[_Told]) -> list[tuple[Delivery, str]]:
        """Each channel's delivery for the people to tell, with the key of the older held status messages
        it supersedes ("" if none)."""
        people = [t.person for t in planned if t.person is not None]
        preferences = preferences_of(people, {t.rule.category for t in planned})
        result: list[tuple[Delivery, str]] = []
        for told in planned:
            person, category = told.person, told.rule.category
            assert person is not None
            decided = decide(person, category, preferences.get((person.key, category)))
            if decided.enabled:
                result += self._channels(told, person, decided)
                continue
            for channel in decided.channels:
                reason = _("%(channel)s: not sent, %(why)s.") % {"channel": channel, "why": decided.why}
                result.append((self._delivery(told, channel, "", Status.SUPPRESSED, reason), ""))
        return result

    def _channels(self, told: _Told, person: Recipient, decided: Choice) -> list[tuple[Delivery, str]]:
        order, rule, base, now = self.order, told.rule, told.base, self.now
        schedule, schedule_source = schedule_for(person, lambda: self.seller_settings.default_window)
        result = []
        for channel in decided.channels:
            address, problem = registry.address(person, channel)
            reason = _("%(channel)s: from %(why)s.") % {"channel": channel, "why": decided.why}
            if problem:
                failed = _("%(reason)s Cannot send: %(problem)s") % {"reason": reason, "problem": problem}
                result.append((self._delivery(told, channel, "", Status.FAILED, failed), ""))
                continue
            due = base
            if base > now:
                reason += " " + _("Feedback is asked %(minutes)d minutes after completion.") % {
                    "minutes": int((base - now).total_seconds() // 60)
                }
            if rule.urgent:
                reason += " " + _("Urgent: delivery hours do not apply.")
            elif registry.held_by_hours(channel) and schedule is not None:
                due = windows.next_open(base, person.time_zone, schedule)
                if due > base:
                    reason += " " + _("Held by %(source)s (%(hours)s, %(zone)s) until %(time)s.") % {
                        "source": schedule_source,
                        "hours": windows.describe(schedule),
                        "zone": person.time_zone,
                        "time": formatting.when(due, ZoneInfo(person.time_zone)),
                    }
            delivery = _delivery(told.notification, channel, address, Status.PENDING, due, reason, now)
            held = rule.category == Category.ORDER_UPDATES and due > now
            result.append((delivery, f"{order.pk}:{person.key}:{channel}" if held else ""))
        return result

    def _delivery(self, told: _Told, channel: str, address: str, status: str, reason: str) -> Delivery:
        return _delivery(told.notification, channel, address, status, self.now, reason, self.now)


def _describe_rule(rule: NotificationRule, order: Order) -> str:
    states = order.workflow.states
    audience = str(rule.get_audience_display()).lower()
    if rule.state in states:
        return _("Rule #%(number)s (%(event)s into %(state)s, %(audience)s)") % {
            "number": rule.pk,
            "event": rule.get_event_display(),
            "state": states[rule.state].label(translation.get_language() or order.seller.locale),
            "audience": audience,
        }
    return _("Rule #%(number)s (%(event)s, %(audience)s)") % {
        "number": rule.pk,
        "event": rule.get_event_display(),
        "audience": audience,
    }


def _rules(order: Order, keys: list[tuple[str, str]]) -> dict[str, list[NotificationRule]]:
    """The seller's active rules for each (event, state entered) key of a change, oldest first: one query."""
    which = Q()
    for key, state in keys:
        which |= Q(event=key, state__in={"", state})
    found = NotificationRule.objects.filter(
        which,
        Q(order_type=order.order_type_id) | Q(order_type=None),
        seller=order.seller_id,
        is_active=True,
    ).order_by("pk")
    by_key: dict[str, list[NotificationRule]] = {key: [] for key, _state in keys}
    for rule in found:
        by_key[rule.event].append(rule)
    return by_key


def _nobody(
    order: Order, event: OrderEvent, rule: NotificationRule, why: str, now: dt.datetime
) -> Notification:
    return Notification(
        seller_id=order.seller_id,
        order=order,
        event=event,
        rule=rule,
        recipient_name="nobody",
        category=rule.category,
        template=rule.template,
        idempotency_key=f"{event.pk}:{rule.pk}:nobody",
        skipped=True,
        reason=_("%(rule)s fired but told nobody: %(why)s")
        % {"rule": _describe_rule(rule, order), "why": why},
        created_at=now,
    )


def _notification(
    order: Order, event: OrderEvent, rule: NotificationRule, person: Recipient, now: dt.datetime
) -> Notification:
    """The notification of one person, skipped with the reason when they are not to be told at all."""
    notification = Notification(
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
        idempotency_key=f"{event.pk}:{rule.pk}:{person.key}",
        reason=_("%(rule)s chose %(name)s: %(why)s.")
        % {"rule": _describe_rule(rule, order), "name": person.name, "why": person.why},
        created_at=now,
    )
    not_told = ""
    if person.is_actor_of(event):
        not_told = _("they made this change themselves")
    elif event.type == EventType.MESSAGE and event.data.get("internal") and person.membership is None:
        not_told = _("an internal note is never sent outside the seller's staff")
    if not_told:
        notification.skipped = True
        notification.reason += " " + _("Not told: %(why)s.") % {"why": not_told}
    return notification


def _insert_new(notifications: list[Notification]) -> set[str]:
    """Insert the notifications whose idempotency key is not taken yet, in one statement per 500:
    INSERT ... ON CONFLICT (idempotency_key) DO NOTHING RETURNING id (SQLite 3.35+ and PostgreSQL). The
    inserted ones get their id; returns their keys. A key taken meanwhile by a concurrent transaction
    waits for it and then counts as taken, as get_or_create's retry had it."""
    quote = connection.ops.quote_name
    fields = [(f, f.column) for f in Notification._meta.concrete_fields if f.column and not f.primary_key]
    columns = ", ".join(quote(column) for _field, column in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table, key = quote(Notification._meta.db_table), quote("idempotency_key")
    by_key = {n.idempotency_key: n for n in notifications}
    new: set[str] = set()
    for start in range(0, len(notifications), 500):
        chunk = notifications[start : start + 500]
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))} "
            f"ON CONFLICT ({key}) DO NOTHING RETURNING {quote('id')}, {key}"
        )
        params = [f.get_db_prep_save(f.pre_save(n, True), connection) for n in chunk for f, _column in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for pk, idempotency_key in cursor.fetchall():
                notification = by_key[idempotency_key]
                notification.pk = pk
                notification._state.adding, notification._state.db = False, connection.alias
                new.add(idempotency_key)
    return new


def _delivery(
    notification: Notification,
    channel: str,
    address: str,
    status: str,
    due: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> Delivery:
    """A delivery to write (unsaved: the caller inserts a change's deliveries together)."""
    return Delivery(
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


def _supersede_held(newest: Delivery, key: str, now: dt.datetime, *, not_yet: list[int]) -> None:
    """Older status messages still held for this person, order and channel give way to the newest.
    `not_yet`: deliveries written in the same insert after `newest`, which are not older than it."""
    held = Delivery.objects.filter(coalesce_key=key, status=Status.PENDING, due_at__gt=now).exclude(
        pk__in=[newest.pk, *not_yet]
    )
    for older in held:
        older.status = Status.SUPERSEDED
        older.superseded_by = newest
        older.reason += " " + _(
            "Superseded by delivery #%(number)s: one message with the current status goes instead."
        ) % {"number": newest.pk}
        older.save(update_fields=["status", "superseded_by", "reason"])
