"""Reads of accounts that more than one surface needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from orderflow.accounts import throttle
from orderflow.accounts.models import (
    Contact,
    Customer,
    CustomerDomain,
    CustomerEvent,
    Invitation,
    Membership,
    Seller,
)


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


# ----------------------------------------------------------------------------------------------
# Customers and contacts


def customers_matching(seller: Seller, search: str = "") -> QuerySet[Customer]:
    """The seller's customers, by name then id; `search` finds words in a customer's name, account
    number or email domains, or in a contact's name or email address (each word somewhere)."""
    customers = Customer.objects.filter(seller=seller)
    for word in search.split()[:8]:
        found = (
            Q(name__icontains=word)
            | Q(reference__icontains=word)
            | Q(domains__domain__icontains=word)
            | Q(contacts__name__icontains=word)
            | Q(contacts__email__icontains=word)
        )
        customers = customers.filter(pk__in=Customer.objects.filter(found, seller=seller).values("pk"))
    return customers.prefetch_related(*_CUSTOMER_PREFETCH).order_by("name", "pk")


_CUSTOMER_PREFETCH = (
    Prefetch("contacts", queryset=Contact.objects.select_related("schedule").order_by("-is_active", "pk")),
    Prefetch("domains", queryset=CustomerDomain.objects.order_by("domain")),
)


def customer_for_staff(seller: Seller, customer_id: int) -> Customer | None:
    """The seller's customer with its contacts (active first, each with its own hours) and domains;
    None for another seller's or none."""
    return (
        Customer.objects.filter(seller=seller, pk=customer_id).prefetch_related(*_CUSTOMER_PREFETCH).first()
    )


def contact_for_staff(seller: Seller, customer_id: int, contact_id: int) -> Contact | None:
    """A contact of this customer of the seller; None for another customer's (or seller's) contact."""
    return (
        Contact.objects.filter(customer__seller=seller, customer_id=customer_id, pk=contact_id)
        .select_related("customer", "schedule", "user")
        .first()
    )


def customer_log(customer: Customer, *, limit: int = 50) -> list[CustomerEvent]:
    """The customer's latest log lines, newest first."""
    return list(
        CustomerEvent.objects.filter(customer=customer)
        .select_related("contact")
        .order_by("-created_at", "-id")[:limit]
    )


def needs_reach_question(contact: Contact) -> bool:
    """Whether to ask the contact how and when to tell them: they never answered, and staff never
    recorded their own hours (004_…: ask when they first come)."""
    if contact.reach_answered_at is not None:
        return False
    return not Contact.objects.filter(pk=contact.pk, schedule__isnull=False).exists()
