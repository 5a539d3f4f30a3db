"""Reads of accounts that more than one surface needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from orderflow.accounts import throttle
from orderflow.accounts.models import Contact, Invitation, Membership, Seller


def contact_of_user(user_id: int | None) -> Contact | None:
    """The contact a signed-in user is (their portal login), with its customer and seller; None for
    staff, deactivated contacts and anyone else without one."""
    if not user_id:
        return None
    return (
        Contact.objects.select_related("customer__seller", "user")
        .filter(user_id=user_id, is_active=True)
        .first()
    )


@dataclass(frozen=True)
class TeamRow:
    membership: Membership
    locked_until: dt.datetime | None


def works_for_a_seller(user_id: int | None) -> bool:
    """Whether this login is active staff of some seller."""
    return Membership.objects.filter(user_id=user_id or 0, is_active=True).exists()


def team_of(seller: Seller) -> list[TeamRow]:
    """The seller's staff, active first, each with the end of their login lockout if they have one."""
    members = list(
        Membership.objects.filter(seller=seller)
        .select_related("user")
        .order_by("-is_active", "user__first_name", "user__username")
    )
    locked = throttle.locked_until(m.user.get_username() for m in members)
    return [TeamRow(m, locked.get(m.user.get_username())) for m in members]


def _open() -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        used_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def open_invitations(seller: Seller) -> list[Invitation]:
    """Staff invitations that can still be accepted."""
    return list(_open().filter(seller=seller, contact__isnull=True))


def contact_login(contact: Contact) -> dict[str, Any]:
    """How a contact signs in, for staff: their login's lockout, or their invitation still open."""
    invited = _open().filter(contact=contact).first()
    login = contact.user.get_username() if contact.user is not None else ""
    locked = throttle.locked_until([login]).get(login) if login else None
    return {"invited_until": invited.expires_at if invited else None, "locked_until": locked}
