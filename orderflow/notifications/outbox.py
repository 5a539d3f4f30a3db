"""Writing to the outbox outside the rules: waking the worker once a change commits, telling a
seller's managers about the seller itself, and writing to one person about their own login. Below emit
and the channels, which both use it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact, Membership, Role
from orderflow.notifications.models import Category, Channel, Delivery, Notification, Status
from orderflow.orders.models import Order, OrderEvent

WAKE_CHANNEL = "orderflow_outbox"
# Messages written by `tell_person`: they carry a link that signs their recipient in, so the app shows
# their sandbox copies to nobody (staff reading the outbox could otherwise use the link).
PERSONAL_TEMPLATES = frozenset({"portal_invitation", "staff_invitation", "password_reset", "lead_opt_in"})


def lane_channel(lane: str) -> str:
    """The NOTIFY channel of one worker lane: a change that wrote only emails wakes no webhook worker."""
    return f"{WAKE_CHANNEL}_{lane}"


class _Wake:
    """The one NOTIFY a transaction sends once it commits, for every lane its deliveries are in."""

    def __init__(self) -> None:
        self.channels: set[str] = set()

    def __call__(self) -> None:
        channels = sorted(self.channels)
        with connection.cursor() as cursor:
            # One statement however many lanes: pg_notify() is NOTIFY as a function.
            cursor.execute("SELECT " + ", ".join(["pg_notify(%s, '')"] * len(channels)), channels)


def wake_worker_on_commit(lanes: Iterable[str] | None = None) -> None:
    """Caller holds the transaction that wrote deliveries (in `lanes`; None: any lane): PostgreSQL
    workers waiting for it hear at once (others poll). However often a transaction calls this, it sends
    one NOTIFY statement after it commits (none if it rolls back)."""
    if connection.vendor != "postgresql":
        return
    channels = {WAKE_CHANNEL} if lanes is None else {lane_channel(lane) for lane in lanes}
    if not channels:
        return
    if connection.in_atomic_block:
        for pending in connection.run_on_commit:  # (savepoints, callback, robust)
            callback = pending[1]
            if isinstance(callback, _Wake):
                callback.channels |= channels
                return
    wake = _Wake()
    wake.channels = channels
    transaction.on_commit(wake)


def _seller_language(membership: Membership, text: str, **values: object) -> str:
    """A reason for the trace, in the language of the seller whose staff read it."""
    with translation.override(membership.seller.locale):
        return _(text) % values


def tell_staff(seller_id: int, *, template: str, payload: dict[str, str]) -> list[Notification]:
    """A message to the seller's owners and managers that is about the seller, not an order
    (an integration stopped working). Email and in-app, at once."""
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
            locale=membership.reading_language,
            time_zone=membership.seller.time_zone,
            category=Category.TRANSACTIONAL,
            template=template,
            payload=payload,
            idempotency_key=f"{template}:{now.timestamp()}:{membership.pk}",
            reason=_seller_language(
                membership,
                _("%(name)s manages %(seller)s."),
                name=membership.display_name,
                seller=membership.seller.name,
            ),
            created_at=now,
        )
        for channel in (Channel.EMAIL, Channel.IN_APP):
            address = membership.user.email if channel == Channel.EMAIL else f"staff:{membership.pk}"
            if address:
                # Transactional: never coalesced with other messages.
                Delivery.objects.create(
                    notification=notification,
                    channel=channel,
                    address=address,
                    status=Status.PENDING,
                    due_at=now,
                    reason=_seller_language(membership, _("%(channel)s: sent to managers."), channel=channel),
                    created_at=now,
                )
        written.append(notification)
    if written:
        wake_worker_on_commit()
    return written


def tell_person(
    seller_id: int,
    *,
    email: str,
    name: str,
    locale: str,
    template: str,
    payload: dict[str, str],
    reason: str,
    contact: Contact | None = None,
    membership: Membership | None = None,
) -> Notification:
    """A message about a person's own login (an invitation, a password reset) to their email address
    only, at once. Transactional: no preference turns it off and it is never coalesced. `payload` fills
    the template's placeholders; it may hold a link that signs the person in, so the message goes to
    nobody else."""
    now = timezone.now()
    notification = Notification.objects.create(
        seller_id=seller_id,
        contact=contact,
        membership=membership,
        email=email,
        recipient_name=name or email,
        locale=locale,
        category=Category.TRANSACTIONAL,
        template=template,
        payload=payload,
        idempotency_key=f"{template}:{uuid.uuid4().hex}",
        reason=reason,
        created_at=now,
    )
    Delivery.objects.create(
        notification=notification,
        channel=Channel.EMAIL,
        address=email,
        status=Status.PENDING,
        due_at=now,
        reason=_("%(channel)s: sent to the person the message is about, only.") % {"channel": Channel.EMAIL},
        created_at=now,
    )
    wake_worker_on_commit()
    return notification


def tell_about_order(
    order: Order,
    *,
    event: OrderEvent,
    template: str,
    people: Sequence[Contact | Membership],
    payload: dict[str, Any],
    reason: str,
) -> list[Notification]:
    """A message about an order to named people rather than a rule's audience (a customer confirmation
    to the contact it was sent to; its signed copy to that contact and the staff following the order), by
    email, at once. Transactional: no preference turns it off and it is never coalesced. `payload` names
    what the message renders from when it is sent (a confirmation, an acceptance): references, not
    files. One message per email address. Caller holds the change's transaction."""
    written: list[Notification] = []
    seen: set[str] = set()
    for person in people:
        if isinstance(person, Contact):
            email, name, locale = person.email, person.name, person.locale
            zone, key = person.time_zone, f"contact:{person.pk}"
            addresses = [(Channel.EMAIL, email)] if email else []
        else:
            email, name, locale = person.user.email, person.display_name, person.reading_language
            zone, key = person.seller.time_zone, f"staff:{person.pk}"
            # Staff read it in the app too (and there only, without an email address).
            addresses = [(Channel.EMAIL, email)] if email else []
            addresses.append((Channel.IN_APP, key))
        if not addresses or key in seen or (email and email.lower() in seen):
            continue
        seen.update({key, email.lower()} if email else {key})
        notification = Notification.objects.create(
            seller_id=order.seller_id,
            order=order,
            event=event,
            contact=person if isinstance(person, Contact) else None,
            membership=person if isinstance(person, Membership) else None,
            email=email,
            recipient_name=name,
            locale=locale,
            time_zone=zone,
            category=Category.TRANSACTIONAL,
            template=template,
            payload=payload,
            idempotency_key=f"{template}:{event.pk}:{key}",
            reason=reason,
            created_at=event.created_at,
        )
        for channel, address in addresses:
            Delivery.objects.create(
                notification=notification,
                channel=channel,
                address=address,
                status=Status.PENDING,
                due_at=event.created_at,
                reason=_("%(channel)s: sent at once to the people the message is for.")
                % {"channel": channel},
                created_at=event.created_at,
            )
        written.append(notification)
    if written:
        wake_worker_on_commit()
    return written
