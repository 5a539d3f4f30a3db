"""Reads of the outbox, the inbox, call tasks and notification settings, for the seller's pages (and
later the API).

Every function takes the seller or the membership it reads for, so no query reaches another tenant's
rows, and loads what its callers display in a fixed number of queries (no N+1 over notifications,
deliveries, attempts or rows of a list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Prefetch, QuerySet

from orderflow.accounts.models import LOCALES, Contact, Membership, Seller
from orderflow.notifications.models import (
    MANDATORY,
    CallTask,
    Channel,
    Delivery,
    DeliverySchedule,
    Event,
    InboxItem,
    MessageTemplate,
    Notification,
    NotificationRule,
    NotificationSettings,
    Status,
)
from orderflow.notifications.recipients import as_recipient, choices_for
from orderflow.notifications.render import TemplateProblem, defaults, render, template_keys
from orderflow.orders.models import Order, OrderEvent
from orderflow.orders.selectors import states_of
from orderflow.workflows.models import OrderType

# ----------------------------------------------------------------------------------------------
# The "why (not)" trace of one order


@dataclass(frozen=True)
class EventTrace:
    """The notifications one order event caused, in the order the rules fired."""

    event: OrderEvent | None
    notifications: list[Notification]


def _deliveries_with_attempts() -> Prefetch:
    # `sandbox_id` says whether a sandbox copy exists without loading its bodies.
    deliveries = (
        Delivery.objects.annotate(sandbox_id=F("sandbox_copy__id"))
        .prefetch_related("attempt_log")
        .order_by("pk")
    )
    return Prefetch("deliveries", queryset=deliveries)


def order_trace(order: Order) -> list[EventTrace]:
    """Every notification decision about the order, grouped by the event that caused it, newest event
    first. Each notification carries its deliveries (with `sandbox_id`) and their attempts."""
    notifications = (
        Notification.objects.filter(order=order, seller_id=order.seller_id)
        .select_related("event", "rule")
        .prefetch_related(_deliveries_with_attempts())
        .order_by(F("event__created_at").desc(nulls_last=True), "-event_id", "pk")
    )
    groups: list[EventTrace] = []
    for notification in notifications:
        if not groups or groups[-1].notifications[0].event_id != notification.event_id:
            groups.append(EventTrace(event=notification.event, notifications=[]))
        groups[-1].notifications.append(notification)
    return groups


# ----------------------------------------------------------------------------------------------
# The outbox


@dataclass(frozen=True)
class OutboxFilters:
    """What the outbox is narrowed to. Empty values mean "no filter"."""

    status: str = ""
    channel: str = ""
    order_number: int | None = None


def outbox(seller: Seller, filters: OutboxFilters | None = None) -> QuerySet[Delivery]:
    """The seller's deliveries, newest first, with the notification and order a row shows and
    `sandbox_id` (the sandbox copy's id, or None)."""
    filters = filters or OutboxFilters()
    deliveries = (
        Delivery.objects.filter(notification__seller=seller)
        .select_related("notification__order")
        .annotate(sandbox_id=F("sandbox_copy__id"))
    )
    if filters.status:
        deliveries = deliveries.filter(status=filters.status)
    if filters.channel:
        deliveries = deliveries.filter(channel=filters.channel)
    if filters.order_number is not None:
        deliveries = deliveries.filter(notification__order__number=filters.order_number)
    return deliveries.order_by("-created_at", "-pk")


def outbox_delivery(seller: Seller, delivery_id: int) -> Delivery | None:
    """One of the seller's deliveries, with what the outbox page shows of it."""
    return (
        Delivery.objects.filter(pk=delivery_id, notification__seller=seller)
        .select_related("notification__order", "sandbox_copy", "inbox_item", "call_task")
        .first()
    )


@dataclass(frozen=True)
class Readable:
    """A delivery's message as the outbox shows it. `kind` says where it comes from: `copy` (the
    sandbox kept what would have gone out), `inbox` (the in-app item its recipient reads), `call` (the
    script of a call task), `preview` (not sent yet: written now, and written again when it is sent),
    `again` (sent, but no copy is kept: written again now, with the order as it is now)."""

    kind: str
    to: str
    subject: str = ""
    text: str = ""
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    at: dt.datetime | None = None
    problem: str = ""


def readable(delivery: Delivery) -> Readable:
    """What the delivery says (expects `outbox_delivery`'s related rows). A message written now for
    staff carries the staff page of its order, never a customer's link (those are the recipient's
    capabilities), and no reply address."""
    notification = delivery.notification
    copy = _related(delivery, "sandbox_copy")
    if copy is not None:
        return Readable(
            kind="copy", to=copy.to, subject=copy.subject, text=copy.body, html=copy.html,
            headers=dict(copy.headers or {}), at=copy.created_at,
        )  # fmt: skip
    item = _related(delivery, "inbox_item")
    if item is not None:
        return Readable(
            kind="inbox", to=delivery.address, subject=item.subject, text=item.body, at=item.created_at
        )
    task = _related(delivery, "call_task")
    if task is not None:
        return Readable(kind="call", to=task.phone or delivery.address, text=task.script, at=task.created_at)
    kind = "again" if delivery.status == Status.SENT else "preview"
    try:
        rendered = render(notification, customer_links=False)
    except (TemplateProblem, ObjectDoesNotExist) as exc:
        return Readable(kind=kind, to=delivery.address, problem=str(exc))
    long_form = delivery.channel in (Channel.EMAIL, Channel.WEBHOOK)
    headers = {name: value for name, value in rendered.headers.items() if name != "Reply-To"}
    return Readable(
        kind=kind,
        to=delivery.address,
        subject=rendered.subject if delivery.channel != Channel.WEBHOOK else "",
        text=rendered.text
        if long_form
        else (rendered.body if delivery.channel == Channel.CALL else rendered.short),
        html=rendered.html if delivery.channel == Channel.EMAIL else "",
        headers=headers if delivery.channel == Channel.EMAIL else {},
    )


def _related(delivery: Delivery, name: str) -> Any:
    try:
        return getattr(delivery, name)
    except ObjectDoesNotExist:
        return None


# ----------------------------------------------------------------------------------------------
# A person's inbox (a staff member's, or a contact's with a portal login) and the seller's call tasks


def _inbox_of(person: Membership | Contact) -> QuerySet[InboxItem]:
    """Only the person's own items: a contact's never include a staff member's, nor another contact's."""
    if isinstance(person, Contact):
        return InboxItem.objects.filter(contact=person)
    return InboxItem.objects.filter(membership=person)


def inbox(person: Membership | Contact) -> QuerySet[InboxItem]:
    """The person's in-app notifications, newest first, with their orders."""
    return _inbox_of(person).select_related("order").order_by("-created_at", "-pk")


def unread_count(person: Membership | Contact) -> int:
    return _inbox_of(person).filter(read_at__isnull=True).count()


def inbox_item(person: Membership | Contact, item_id: int) -> InboxItem | None:
    """One item of the person's own inbox (never another person's), with its order."""
    return _inbox_of(person).select_related("order").filter(pk=item_id).first()


def call_tasks(
    seller: Seller, *, assignee: Membership | None = None, done: bool = False
) -> QuerySet[CallTask]:
    """The seller's call tasks, open (oldest first: call in turn) or done (latest first), optionally
    only those assigned to one member."""
    tasks = CallTask.objects.filter(seller=seller, done_at__isnull=not done).select_related(
        "order", "contact", "assignee__user", "done_by__user"
    )
    if assignee is not None:
        tasks = tasks.filter(assignee=assignee)
    return tasks.order_by("-done_at", "-pk") if done else tasks.order_by("created_at", "pk")


def call_task(seller: Seller, task_id: int) -> CallTask | None:
    return CallTask.objects.filter(seller=seller, pk=task_id).first()


# ----------------------------------------------------------------------------------------------
# The seller's notification settings: defaults, rules, message templates


def seller_settings(seller: Seller) -> NotificationSettings:
    """The seller's settings; an unsaved default when none were saved yet (reading writes nothing)."""
    found = NotificationSettings.objects.filter(seller=seller).first()
    return found if found is not None else NotificationSettings(seller=seller)


@dataclass(frozen=True)
class RuleRow:
    rule: NotificationRule
    state_label: str


@dataclass(frozen=True)
class RuleGroup:
    order_type: OrderType | None
    rules: list[RuleRow] = field(default_factory=list)


def rules_of(seller: Seller) -> list[RuleGroup]:
    """The seller's rules per order type (rules for every type first), in the order things happen to an
    order: events as listed in `Event`, status changes in the workflow's order of states; states named by
    their labels."""
    types = {
        order_type.pk: order_type
        for order_type in OrderType.objects.filter(seller=seller)
        .prefetch_related("versions")
        .order_by("name")
    }
    states = {pk: states_of(order_type) for pk, order_type in types.items()}
    events = list(Event.values)
    groups = [RuleGroup(order_type=None), *(RuleGroup(order_type=t) for t in types.values())]
    by_type = {group.order_type.pk if group.order_type else None: group for group in groups}
    for rule in NotificationRule.objects.filter(seller=seller).order_by("pk"):
        type_states = states.get(rule.order_type_id or 0, {})
        state = type_states.get(rule.state)
        label = state.label(seller.locale) if state is not None else rule.state
        by_type[rule.order_type_id].rules.append(RuleRow(rule=rule, state_label=label))
    for group in groups:
        order = list(states.get(group.order_type.pk, {})) if group.order_type else []
        group.rules.sort(
            key=lambda row: (
                events.index(row.rule.event) if row.rule.event in events else len(events),
                order.index(row.rule.state) if row.rule.state in order else -1,
                row.rule.pk,
            )
        )
    return [group for group in groups if group.rules]


def rule_of(seller: Seller, rule_id: int) -> NotificationRule | None:
    return NotificationRule.objects.filter(seller=seller, pk=rule_id).first()


@dataclass(frozen=True)
class TemplateCell:
    locale: str
    override: MessageTemplate | None
    # Reworded by the seller in another language but not in this one: its readers get the default.
    untranslated: bool = False


@dataclass(frozen=True)
class TemplateRow:
    key: str
    cells: list[TemplateCell]


def template_locales() -> list[str]:
    return [code for code, _ in LOCALES]


def template_table(seller: Seller) -> list[TemplateRow]:
    """Every message key by every language, with the seller's override where there is one."""
    overrides = {(t.key, t.locale): t for t in MessageTemplate.objects.filter(seller=seller)}
    reworded = {key for key, _locale in overrides}
    return [
        TemplateRow(
            key=key,
            cells=[
                TemplateCell(
                    locale,
                    overrides.get((key, locale)),
                    untranslated=key in reworded and (key, locale) not in overrides,
                )
                for locale in template_locales()
            ],
        )
        for key in template_keys()
    ]


@dataclass(frozen=True)
class TemplateSource:
    key: str
    locale: str
    default: dict[str, str]
    override: MessageTemplate | None
    # The languages in which the seller has its own wording of this message while this one has none.
    reworded_in: tuple[str, ...] = ()

    def current(self) -> dict[str, str]:
        """What is sent now: the override, else the default."""
        if self.override is None:
            return dict(self.default)
        return {"subject": self.override.subject, "body": self.override.body, "sms": self.override.sms}


def template_source(seller: Seller, key: str, locale: str) -> TemplateSource | None:
    """One message in one language: the default (the English one where the language has none) and the
    seller's override. None for a key or language that does not exist."""
    if key not in template_keys() or locale not in template_locales():
        return None
    default = defaults(locale).get(key) or defaults("en")[key]
    overrides = {t.locale: t for t in MessageTemplate.objects.filter(seller=seller, key=key)}
    override = overrides.get(locale)
    reworded_in = () if override else tuple(sorted(code for code in overrides if code != locale))
    return TemplateSource(key=key, locale=locale, default=default, override=override, reworded_in=reworded_in)


# ----------------------------------------------------------------------------------------------
# One staff member's own preferences and hours


@dataclass(frozen=True)
class PreferenceRow:
    category: str
    label: str
    mandatory: bool
    enabled: bool
    channels: list[str]
    why: str
    chosen_channels: list[str]  # the member's own choice; empty: the channels come from the defaults


def staff_preferences(membership: Membership) -> list[PreferenceRow]:
    """Per category: whether the member is told and on which channels, as emit would decide now."""
    return [
        PreferenceRow(
            category=category.value,
            label=str(category.label),
            mandatory=category in MANDATORY,
            enabled=decided.enabled,
            channels=list(decided.channels),
            why=decided.why,
            chosen_channels=list(pref.channels) if pref else [],
        )
        for category, decided, pref in choices_for(as_recipient(membership))
    ]


def staff_schedule(membership: Membership) -> dict[str, list[list[int]]] | None:
    """The member's own delivery hours; None means any time (staff have no default hours)."""
    own = DeliverySchedule.objects.filter(membership=membership).first()
    return cast("dict[str, list[list[int]]]", own.schedule) if own is not None else None
