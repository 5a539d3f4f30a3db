"""Changes people make to how they are told: preferences, hours, watchers, templates, rules; and what
they do from a message: rate the service, choose a delivery time; staff completing call tasks and
revoking the links messages carried."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import dates, timezone
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact, Membership, Role, Seller, sender_domains
from orderflow.core import outbound
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden, NotAllowed
from orderflow.notifications import links, windows
from orderflow.notifications.channels import registry
from orderflow.notifications.emit import notify
from orderflow.notifications.models import (
    MANDATORY,
    CallTask,
    Category,
    Channel,
    Delivery,
    DeliverySchedule,
    Feedback,
    InboxItem,
    LinkRevocation,
    MessageTemplate,
    NotificationRule,
    NotificationSettings,
    Preference,
    Status,
    Watcher,
)
from orderflow.notifications.render import PARTS, TemplateProblem, check, template_keys
from orderflow.orders.actions import log_event
from orderflow.orders.models import EventType, Order, OrderEvent

# Stands for a recipient's number when an SMS service URL with {to} is judged before any SMS is sent.
SAMPLE_NUMBER = "+15555550100"

Person = Contact | Membership


def _seller_id(person: Person) -> int:
    return person.customer.seller_id if isinstance(person, Contact) else person.seller_id


def _check_may_edit(person: Person, actor: Actor) -> None:
    """People edit their own settings; staff may record a customer's; managers may set staff's."""
    if actor.kind == "system":
        return
    if actor.kind == "customer":
        if not isinstance(person, Contact) or actor.contact is None or actor.contact.pk != person.pk:
            raise Forbidden("forbidden", _("You can only change your own notification settings."))
        return
    membership = actor.membership
    if membership is None or membership.seller_id != _seller_id(person) or not membership.is_active:
        raise Forbidden("forbidden", _("You are not staff of this seller."))
    if isinstance(person, Membership) and person.pk != membership.pk and membership.role == Role.STAFF:
        raise Forbidden(
            "forbidden", _("Only an owner or manager can change another staff member's settings.")
        )


def _check_manager(seller: Seller | int, actor: Actor) -> None:
    seller_id = seller if isinstance(seller, int) else seller.pk
    if actor.kind == "system":
        return
    membership = actor.membership
    if (
        actor.kind != "staff"
        or membership is None
        or membership.seller_id != seller_id
        or (membership.role not in (Role.OWNER, Role.MANAGER))
    ):
        raise Forbidden("forbidden", _("Only an owner or manager can change notification settings."))


def set_preference(
    person: Person, *, category: str, enabled: bool, channels: Sequence[str], actor: Actor
) -> Preference:
    """Turn a category on or off and choose its channels (empty: the person's default channels)."""
    _check_may_edit(person, actor)
    if category not in Category.values:
        raise ActionError(
            "invalid",
            _("Unknown category %(category)r.") % {"category": category},
            details={"field": "category"},
        )
    label = Category(category).label
    if not enabled and category in MANDATORY:
        raise ActionError(
            "mandatory",
            _("%(label)s cannot be turned off: these messages must reach you.") % {"label": label},
        )
    unknown = sorted(set(channels) - registry.pickable())  # people's channels: webhooks are for endpoints
    if unknown:
        raise ActionError(
            "invalid",
            _("Unknown channel(s): %(unknown)s.") % {"unknown": ", ".join(unknown)},
            details={"field": "channels"},
        )
    if isinstance(person, Contact) and Channel.CALL in channels and not person.phone:
        raise ActionError(
            "no_phone", _("A phone call needs a phone number on the contact."), details={"field": "channels"}
        )
    if isinstance(person, Membership) and set(channels) - registry.pickable("staff"):
        raise ActionError(
            "invalid",
            _("Staff are told by email, SMS or in the app (calls and messengers are for customers)."),
        )
    owner = {"contact": person} if isinstance(person, Contact) else {"membership": person}
    preference, _created = Preference.objects.update_or_create(
        **owner, category=category, defaults={"enabled": enabled, "channels": list(dict.fromkeys(channels))}
    )
    return preference


def set_schedule(person: Person, week: Mapping[str, str] | None, *, actor: Actor) -> DeliverySchedule | None:
    """Set the person's delivery hours from text per weekday ('09:00-12:00, 14:00-20:00'); None removes
    them (back to the seller's hours). Days left out get no deliveries."""
    _check_may_edit(person, actor)
    owner = {"contact": person} if isinstance(person, Contact) else {"membership": person}
    if week is None:
        DeliverySchedule.objects.filter(**owner).delete()
        return None
    schedule = _parse_week(week)
    found, _created = DeliverySchedule.objects.update_or_create(**owner, defaults={"schedule": schedule})
    return found


def _parse_week(week: Mapping[str, str]) -> dict[str, list[list[int]]]:
    names = {name.lower(): str(index) for index, name in enumerate(windows.WEEKDAYS)}
    schedule: dict[str, list[list[int]]] = {}
    for day, text in week.items():
        key = names.get(str(day).lower(), str(day))
        if key not in names.values():
            raise ActionError("invalid", _("%(day)r is not a weekday.") % {"day": day})
        try:
            schedule[key] = windows.parse_spans(text)
        except windows.WindowError as exc:
            raise ActionError(
                "invalid",
                _("%(day)s: %(problem)s") % {"day": dates.WEEKDAYS[int(key)], "problem": exc},
                details={"field": key},
            ) from None
    if not any(schedule.values()):
        raise ActionError("invalid", _("Give at least one time when messages may be delivered."))
    return schedule


def update_settings(seller: Seller, *, actor: Actor, **values: object) -> NotificationSettings:
    """Change the seller's defaults. The From address must be on one of the domains the platform's
    operator verified for the seller (`sender_not_verified`); the Reply-To may be any address."""
    _check_manager(seller, actor)
    with transaction.atomic():
        found = _updated_settings(seller, values)
        found.save()
    return found


def _updated_settings(seller: Seller, values: Mapping[str, object]) -> NotificationSettings:
    """The seller's settings with `values` applied and checked; not saved."""
    seller.refresh_from_db(fields=["sender_domains"])  # as the operator left them, not as first read
    found, _created = NotificationSettings.objects.get_or_create(seller=seller)
    allowed = {
        "email_from",
        "reply_to",
        "sms_sender",
        "sms_url",
        "feedback_delay_minutes",
        "default_window",
        "delivery_change_cutoff_hours",
    }
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ActionError("invalid", _("Unknown setting(s): %(unknown)s.") % {"unknown": ", ".join(unknown)})
    for name, value in values.items():
        setattr(found, name, value)
    if "default_window" in values:
        try:
            found.default_window = windows.validate(found.default_window)
        except windows.WindowError as exc:
            raise ActionError("invalid", str(exc), details={"field": "default_window"}) from None
        if not any(found.default_window.values()):
            raise ActionError(
                "invalid",
                _("Give at least one time when customers may be messaged."),
                details={"field": "default_window"},
            )
    if found.sms_url and "{to}" not in found.sms_url:
        raise ActionError("invalid", _("The SMS service URL must contain {to} where the number goes."))
    if "sms_url" in values and found.sms_url:
        try:
            outbound.check_apprise_url(found.sms_url.replace("{to}", SAMPLE_NUMBER))
        except outbound.OutboundRefused as refused:
            raise ActionError(refused.code, refused.message, details={"field": "sms_url"}) from None
    try:
        found.full_clean(exclude=["seller"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ActionError(
            "invalid",
            _("%(field)s: %(problem)s") % {"field": field, "problem": messages[0]},
            details={"field": field},
        ) from None
    if found.email_from and not seller.may_send_from(found.email_from):
        raise ActionError(
            "sender_not_verified",
            _(
                "Mail can only be sent From a domain verified for you (%(domains)s). Leave the From "
                "empty to send From this platform, with your address as Reply-To."
            )
            % {"domains": ", ".join(sender_domains(seller.sender_domains)) or _("none yet")},
            details={"field": "email_from"},
        )
    return found


def update_rule(rule: NotificationRule, *, actor: Actor, **values: object) -> NotificationRule:
    """Edit a rule's wording extras and switches: custom message, upsell, urgent, active."""
    _check_manager(rule.seller_id, actor)
    allowed = {"custom_message", "upsell", "urgent", "is_active"}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ActionError(
            "invalid",
            _("These rule fields cannot be changed here: %(unknown)s.") % {"unknown": ", ".join(unknown)},
        )
    for name, value in values.items():
        setattr(rule, name, value)
    rule.save(update_fields=[*values])
    return rule


def save_template(seller: Seller, *, key: str, locale: str, actor: Actor, **parts: str) -> MessageTemplate:
    """Override a default message. Refused: a template with bad syntax or an unknown placeholder
    (`invalid_template`), one using what sellers may not (`template_forbidden`, naming it in the
    message and in `details["construct"]`), one too long (`template_too_long`)."""
    _check_manager(seller, actor)
    if key not in template_keys():
        raise ActionError(
            "invalid",
            _("There is no message %(key)r; choose one of %(template_keys)s.")
            % {"key": key, "template_keys": ", ".join(template_keys())},
        )
    if locale not in ("en", "fr"):
        raise ActionError("invalid", _("Unsupported language %(locale)r.") % {"locale": locale})
    missing = [part for part in PARTS if not parts.get(part, "").strip()]
    if missing or set(parts) - set(PARTS):
        raise ActionError(
            "invalid",
            _("A message needs a %(parts)s (missing: %(missing)s).")
            % {"parts": ", ".join(PARTS), "missing": ", ".join(missing)},
        )
    for part in PARTS:
        try:
            check(parts[part], part)
        except TemplateProblem as exc:
            details = {"field": part, "construct": exc.construct} if exc.construct else {"field": part}
            raise ActionError(
                exc.code, _("%(field)s: %(problem)s") % {"field": part, "problem": exc}, details=details
            ) from None
    template, _created = MessageTemplate.objects.update_or_create(
        seller=seller, key=key, locale=locale, defaults=parts
    )
    return template


def reset_template(seller: Seller, *, key: str, locale: str, actor: Actor) -> None:
    """Drop the seller's own wording of a message: the default applies again."""
    _check_manager(seller, actor)
    MessageTemplate.objects.filter(seller=seller, key=key, locale=locale).delete()


def add_watcher(order: Order, *, email: str, actor: Actor) -> Watcher:
    if actor.kind == "customer" or (actor.membership and actor.membership.seller_id != order.seller_id):
        raise Forbidden("forbidden", _("Only the seller's staff can add notification recipients."))
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ActionError(
            "invalid", _("%(email)r is not an email address.") % {"email": email}, details={"field": "email"}
        ) from None
    watcher, _created = Watcher.objects.get_or_create(order=order, email=email)
    return watcher


def remove_watcher(watcher: Watcher, *, actor: Actor) -> None:
    if actor.kind == "customer" or (
        actor.membership and actor.membership.seller_id != watcher.order.seller_id
    ):
        raise Forbidden("forbidden", _("Only the seller's staff can remove notification recipients."))
    watcher.delete()


# ----------------------------------------------------------------------------------------------
# Acting from a message


def record_feedback(order: Order, *, rating: int, comment: str, actor: Actor) -> Feedback:
    """Keep the customer's rating of a completed order: one per order. Concurrent ratings take turns
    on the order's row lock; every one after the first is refused with `already_rated`."""
    if actor.kind != "customer" or actor.contact is None or actor.contact.customer_id != order.customer_id:
        raise Forbidden("forbidden", _("Only the customer can rate this order."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ActionError("invalid", _("Choose a rating from 1 to 5."), details={"field": "rating"})
    comment = comment.strip()
    if len(comment) > 2000:
        raise ActionError(
            "invalid", _("The comment can be at most 2000 characters."), details={"field": "comment"}
        )
    with transaction.atomic():
        # Ratings of one order take turns on its row (SQLite: on the IMMEDIATE transaction's lock).
        order = (
            Order.objects.select_for_update(of=("self",)).select_related("workflow_version").get(pk=order.pk)
        )
        if order.current_state.category != "done":
            raise ActionError("not_done", _("You can rate the service once the order is complete."))
        if Feedback.objects.filter(order=order).exists():
            raise _already_rated()
        try:
            with transaction.atomic():  # a savepoint: the unique order is the last word, not a 500
                feedback = Feedback.objects.create(
                    order=order,
                    contact=actor.contact,
                    rating=rating,
                    comment=comment,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            raise _already_rated() from None
        event = log_event(order, EventType.FEEDBACK, actor, note=comment, data={"rating": rating})
        withdraw_feedback_requests(order, at=feedback.created_at)
        notify(event)
    return feedback


def withdraw_feedback_requests(order: Order, *, at: dt.datetime) -> int:
    """The customer rated: requests for feedback on this order not sent yet are withdrawn, and the links
    they would have carried stop asking (the rate page thanks instead). Caller holds the transaction.
    Returns how many deliveries were withdrawn."""
    pending = Delivery.objects.filter(
        notification__order=order,
        notification__category=Category.FEEDBACK,
        status=Status.PENDING,
    ).select_for_update()
    withdrawn = 0
    for delivery in pending:
        delivery.status = Status.SUPPRESSED
        delivery.reason += f" Withdrawn at {at:%Y-%m-%d %H:%M} UTC: the customer rated the order already."
        delivery.save(update_fields=["status", "reason"])
        withdrawn += 1
    return withdrawn


def _already_rated() -> ActionError:
    return ActionError("already_rated", _("Thank you: this order has already been rated."))


def delivery_cutoff(order: Order) -> dt.timedelta:
    """How long before a delivery time it can no longer be chosen or changed: the seller's setting."""
    hours = (
        NotificationSettings.objects.filter(seller_id=order.seller_id)
        .values_list("delivery_change_cutoff_hours", flat=True)
        .first()
    )
    return dt.timedelta(hours=24 if hours is None else hours)


def awaits_delivery_time(order: Order) -> bool:
    """The order is in a state its workflow entered by asking the customer for a delivery time."""
    return not order.is_final and "choose_delivery_time" in order.workflow.asks_in(order.state)


def chosen_delivery_time(order: Order) -> dt.datetime | None:
    slot = (
        OrderEvent.objects.filter(order=order, type=EventType.DELIVERY_TIME)
        .order_by("-created_at", "-id")
        .values_list("data__slot", flat=True)
        .first()
    )
    return dt.datetime.fromisoformat(slot) if isinstance(slot, str) else None


def delivery_slots(order: Order, *, now: dt.datetime | None = None, days: int = 6) -> list[dt.datetime]:
    """The delivery times offered: mornings (09:00) and afternoons (14:00) of the next working days,
    in the seller's time zone, from the seller's cut-off on."""
    zone = ZoneInfo(order.seller.time_zone)
    now = now or timezone.now()
    earliest = now + delivery_cutoff(order)
    slots: list[dt.datetime] = []
    day = now.astimezone(zone).date()
    while len(slots) < days * 2:
        day += dt.timedelta(days=1)
        if day.weekday() < 6:
            slots += [
                at
                for hour in (9, 14)
                if (at := dt.datetime.combine(day, dt.time(hour), tzinfo=zone)) >= earliest
            ]
    return slots


def choose_delivery_time(order: Order, *, slot: dt.datetime, actor: Actor) -> Order:
    """Book a delivery time, or change it, while the order waits for one and until the seller's cut-off
    before the time booked. Choices take turns on the order's row."""
    if actor.kind != "customer" or actor.contact is None or actor.contact.customer_id != order.customer_id:
        raise Forbidden("forbidden", _("Only the customer can choose the delivery time."))
    if order.is_final or order.current_state.category == "cancelled":
        raise NotAllowed("closed", _("This order is closed; the delivery time can no longer change."))
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("seller", "workflow_version")
            .get(pk=order.pk)
        )
        if not awaits_delivery_time(order):
            raise NotAllowed("not_waiting", _("This order is not waiting for a delivery time."))
        chosen, now = chosen_delivery_time(order), timezone.now()
        if chosen is not None and now >= chosen - delivery_cutoff(order):
            raise NotAllowed("too_late", _("The delivery time is too close to change: contact the seller."))
        if slot not in delivery_slots(order, now=now):
            raise ActionError(
                "invalid", _("Choose one of the delivery times offered."), details={"field": "slot"}
            )
        event = log_event(order, EventType.DELIVERY_TIME, actor, data={"slot": slot.isoformat()})
        notify(event)
    return order


# ----------------------------------------------------------------------------------------------
# The links messages carry


def _check_staff(seller_id: int, actor: Actor) -> None:
    if actor.kind == "system":
        return
    by = actor.membership
    if actor.kind != "staff" or by is None or by.seller_id != seller_id or not by.is_active:
        raise Forbidden("forbidden", _("Only the seller's staff can withdraw links."))


def revoke_order_links(order: Order, *, actor: Actor) -> int:
    """Withdraw every link to this order that messages carried (any contact, any purpose); how many.
    The contact's settings links stay: they name no order."""
    _check_staff(order.seller_id, actor)
    by_id = actor.membership.pk if actor.membership else None
    with transaction.atomic():
        count = links.revoke(by_id=by_id, order_id=order.pk)
        LinkRevocation.objects.create(
            seller_id=order.seller_id,
            order=order,
            by_id=by_id,
            revoked=count,
            created_at=timezone.now(),
        )
    return count


def revoke_contact_links(contact: Contact, *, actor: Actor) -> int:
    """Withdraw every link a contact was sent, on every order and their settings; how many."""
    _check_staff(contact.customer.seller_id, actor)
    by_id = actor.membership.pk if actor.membership else None
    with transaction.atomic():
        count = links.revoke(by_id=by_id, contact_id=contact.pk)
        LinkRevocation.objects.create(
            seller_id=contact.customer.seller_id,
            contact=contact,
            by_id=by_id,
            revoked=count,
            created_at=timezone.now(),
        )
    return count


def complete_call_task(task: CallTask, *, outcome: str, actor: Actor) -> CallTask:
    if actor.kind != "staff" or actor.membership is None or actor.membership.seller_id != task.seller_id:
        raise Forbidden("forbidden", _("Only the seller's staff can complete call tasks."))
    outcome = outcome.strip()
    if not outcome:
        raise ActionError("invalid", _("Say how the call went."), details={"field": "outcome"})
    with transaction.atomic():
        task = CallTask.objects.select_for_update().get(pk=task.pk)
        if task.done_at is not None:
            raise ActionError("already_done", _("This call is already marked done."))
        task.done_at, task.done_by, task.outcome = timezone.now(), actor.membership, outcome[:2000]
        task.save(update_fields=["done_at", "done_by", "outcome"])
        if task.order_id is None:
            return task
        order = Order.objects.select_for_update(of=("self",)).get(pk=task.order_id)
        whom = task.contact.name if task.contact else task.phone
        event = log_event(
            order,
            EventType.CALL_DONE,
            actor,
            data={"task": task.pk, "contact": whom, "outcome": task.outcome},
        )
        notify(event)
    return task


def mark_all_inbox_read(*, actor: Actor) -> int:
    """Everything unread in the actor's own inbox, in one statement."""
    if actor.kind == "staff" and actor.membership is not None:
        unread = InboxItem.objects.filter(membership=actor.membership, read_at__isnull=True)
    elif actor.kind == "customer" and actor.contact is not None:
        unread = InboxItem.objects.filter(contact=actor.contact, read_at__isnull=True)
    else:
        return 0
    return unread.update(read_at=timezone.now())


def mark_inbox_read(items: Sequence[InboxItem], *, actor: Actor) -> int:
    ids = [item.pk for item in items]
    owned = InboxItem.objects.filter(pk__in=ids, read_at__isnull=True)
    if actor.kind == "staff" and actor.membership is not None:
        owned = owned.filter(membership=actor.membership)
    elif actor.kind == "customer" and actor.contact is not None:
        owned = owned.filter(contact=actor.contact)
    else:
        return 0
    return owned.update(read_at=timezone.now())


def save_preferences(
    person: Person,
    *,
    choices: Mapping[str, tuple[bool, Sequence[str]]],
    week: Mapping[str, str] | None,
    actor: Actor,
) -> None:
    """Save a whole preferences page at once: every category's switch and channels, and the delivery
    hours (None: back to the seller's). Nothing is saved when any part is refused."""
    with transaction.atomic():
        for category, (enabled, channels) in choices.items():
            set_preference(person, category=category, enabled=enabled, channels=channels, actor=actor)
        set_schedule(person, week, actor=actor)
