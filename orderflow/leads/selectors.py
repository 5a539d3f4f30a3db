"""Reads of the participants and leads of orders, shared by the workspace, the portal and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from orderflow.leads.models import Person, Recipient
from orderflow.orders.models import Order


def people_of(order: Order, kind: str) -> QuerySet[Person]:
    """The participants or leads of an order, newest first."""
    return Person.objects.filter(order=order, kind=kind).order_by("-id")


def person_of(order: Order, kind: str, person_id: int) -> Person | None:
    """One person of the order and kind; None for any other (a 404 to every surface)."""
    return Person.objects.filter(order=order, kind=kind, pk=person_id).first()


def recipients_of(order: Order) -> QuerySet[Recipient]:
    return Recipient.objects.filter(order=order).select_related("membership__user").order_by("pk")
