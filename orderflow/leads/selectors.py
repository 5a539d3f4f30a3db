"""Reads of the participants and leads of orders, shared by the workspace, the portal and the API."""

from __future__ import annotations

import hashlib

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from orderflow.leads.models import Kind, OptInLink, Person, Recipient
from orderflow.orders.models import Order


def people_of(order: Order, kind: str) -> QuerySet[Person]:
    """The participants or leads of an order, newest first."""
    return Person.objects.filter(order=order, kind=kind).order_by("-id")


def person_of(order: Order, kind: str, person_id: int) -> Person | None:
    """One person of the order and kind; None for any other (a 404 to every surface)."""
    return Person.objects.filter(order=order, kind=kind, pk=person_id).first()


def person_in(order: Order, person_id: int) -> Person | None:
    """One participant or lead of the order; None for any other."""
    return Person.objects.filter(order=order, pk=person_id).first()


def counts_of(order: Order) -> dict[str, int]:
    """How many participants and leads the order has, and how many wait for a qualification call."""
    counted: dict[str, int] = Person.objects.filter(order=order).aggregate(
        participant=Count("id", filter=Q(kind=Kind.PARTICIPANT)),
        lead=Count("id", filter=Q(kind=Kind.LEAD)),
        to_call=Count("id", filter=Q(needs_qualification=True)),
    )
    return counted


def recipients_of(order: Order) -> QuerySet[Recipient]:
    return Recipient.objects.filter(order=order).select_related("membership__user").order_by("pk")


def token_hash(token: str) -> str:
    """How an opt-in link's token is kept: its SHA-256 (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()


def opt_in_link(token: str) -> tuple[OptInLink | None, str]:
    """The opt-in link of a token and, when it cannot be used, why: `bad_link`, `used_link`,
    `expired_link` ("" when it can)."""
    link = OptInLink.objects.select_related("person__seller").filter(token_hash=token_hash(token)).first()
    if link is None:
        return None, "bad_link"
    if link.used_at is not None:
        return link, "used_link"
    if link.expires_at <= timezone.now():
        return link, "expired_link"
    return link, ""
