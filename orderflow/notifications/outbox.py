"""Writing to the outbox outside the rules: waking the worker once a change commits, telling a
seller's managers about the seller itself, and writing to one person about their own login. Below emit
and the channels, which both use it."""

from __future__ import annotations

import uuid

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact, Membership, Role
from orderflow.notifications.models import Category, Channel, Delivery, Notification, Status

WAKE_CHANNEL = "orderflow_outbox"
# Messages written by `tell_person`: they carry a link that signs their recipient in, so the app shows
# their sandbox copies to nobody (staff reading the outbox could otherwise use the link).
PERSONAL_TEMPLATES = frozenset({"portal_invitation", "staff_invitation", "password_reset", "lead_opt_in"})


def wake_worker_on_commit() -> None:
    """Caller holds the transaction that wrote deliveries: PostgreSQL workers waiting for it hear at once
    (others poll)."""
    if connection.vendor == "postgresql":
        transaction.on_commit(_wake_worker)


def _wake_worker() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {WAKE_CHANNEL}")


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
