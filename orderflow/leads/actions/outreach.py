"""What saving people sets going besides the digest: call tasks for people to qualify by phone (the
notification engine's call channel: the worker turns each into a task for the order's assignee, with a
script) and opt-in emails for leads asked to confirm (through the outbox, with a single-use link)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orderflow.accounts.models import Membership, Role
from orderflow.core.actors import Actor
from orderflow.leads.models import Kind, OptIn, OptInLink
from orderflow.leads.selectors import token_hash
from orderflow.notifications import outbox
from orderflow.notifications.models import Category, Channel, Delivery, Notification, Status
from orderflow.orders.models import Order, OrderEvent

OPT_IN_DAYS = 30
QUALIFICATION_TEMPLATE = "qualification_call"
OPT_IN_TEMPLATE = "lead_opt_in"


def _name(row: Mapping[str, Any]) -> str:
    return f"{row['first_name']} {row['last_name']}".strip() or row["email"] or row["phone"]


def after_save(
    order: Order, event: OrderEvent | None, kind: str, created: Sequence[Mapping[str, Any]], *, actor: Actor
) -> None:
    """Caller holds the transaction (the order locked); `created` are the new people's columns."""
    to_call = [row for row in created if row["needs_qualification"]]
    if to_call:
        ask_for_calls(order, event, to_call, caller=_caller(order, actor))
    if kind == Kind.LEAD:
        for row in created:
            if row["opt_in"] == OptIn.PENDING and row["email_normalised"]:
                send_opt_in(order, row)


def qualification_key(person_id: int) -> str:
    """The idempotency key of a person's qualification call: finds their call task again."""
    return f"qualify:{person_id}"


def _caller(order: Order, actor: Actor) -> int | None:
    """Who a qualification call is for: the order's assignee; else the staff member who added the
    people; else the seller's first owner (the call task itself goes to the order's assignee as it is
    when the worker writes it, and any staff member sees unassigned calls)."""
    if order.assignee_id is not None:
        return order.assignee_id
    if actor.kind == "staff" and actor.membership is not None:
        return actor.membership.pk
    return (
        Membership.objects.filter(seller_id=order.seller_id, is_active=True, role=Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def ask_for_calls(
    order: Order, event: OrderEvent | None, people: Sequence[Mapping[str, Any]], *, caller: int | None
) -> None:
    """One call delivery per person: the worker's call channel makes it a task for the order's assignee,
    with the script (`qualification_call`) to read. Two inserts whatever the number of people."""
    now = timezone.now()
    seller = order.seller
    with translation.override(seller.locale):
        reason = _("%(name)s has a phone number but no email address: a call fills in the details.")
        why = _("%(channel)s: a qualification call.") % {"channel": Channel.CALL}
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                seller_id=order.seller_id,
                order=order,
                event=event,
                membership_id=caller,
                recipient_name=_name(row)[:200],
                locale=seller.locale,
                time_zone=seller.time_zone,
                category=Category.TRANSACTIONAL,
                template=QUALIFICATION_TEMPLATE,
                idempotency_key=qualification_key(row["id"]),
                reason=reason % {"name": _name(row)},
                created_at=now,
            )
            for row in people
        ]
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                notification=notification,
                channel=Channel.CALL,
                address=row["phone_normalised"],
                status=Status.PENDING,
                due_at=now,
                reason=why,
                created_at=now,
            )
            for notification, row in zip(notifications, people, strict=True)
        ]
    )
    outbox.wake_worker_on_commit()


def send_opt_in(order: Order, row: Mapping[str, Any]) -> str:
    """Email the lead a single-use link to confirm or refuse (valid OPT_IN_DAYS); returns the link.
    Earlier unused links of the person stop working."""
    now = timezone.now()
    OptInLink.objects.filter(person_id=row["id"], used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    OptInLink.objects.create(
        person_id=row["id"],
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=OPT_IN_DAYS),
    )
    link = settings.SITE_URL + reverse("lead_opt_in", kwargs={"token": token})
    seller = order.seller
    with translation.override(seller.locale):
        reason = _("%(seller)s asks %(email)s to confirm they agree to be contacted.") % {
            "seller": seller.name,
            "email": row["email"],
        }
    outbox.tell_person(
        order.seller_id,
        email=row["email"],
        name=_name(row),
        locale=seller.locale,
        template=OPT_IN_TEMPLATE,
        payload={"action_url": link, "valid_hours": str(OPT_IN_DAYS * 24)},
        reason=reason,
    )
    return link
