"""Reads only the API needs, built on the shared selectors. Every function takes the seller it reads for,
and loads a page in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, Prefetch, QuerySet, Subquery, Sum

from orderflow.accounts.models import Contact, Customer, Seller
from orderflow.api import pagination
from orderflow.integrations.models import WebhookEndpoint
from orderflow.notifications.models import (
    MANDATORY,
    Category,
    Delivery,
    DeliveryAttempt,
    DeliverySchedule,
    Preference,
)
from orderflow.notifications.recipients import Recipient, choice
from orderflow.orders.models import Order, Refund
from orderflow.orders.selectors import SORT_FIELDS, OrderFilters, order_list
from orderflow.workflows.models import WorkflowVersion

_REFUNDED = Subquery(
    Refund.objects.filter(order=OuterRef("pk")).values("order").annotate(total=Sum("amount")).values("total"),
    output_field=DecimalField(max_digits=14, decimal_places=2),
)


def refunded(order: Order) -> Decimal:
    """The refunded sum annotated by the queries below."""
    return Decimal(getattr(order, "api_refunded", None) or 0)


def _with_everything(orders: QuerySet[Order]) -> QuerySet[Order]:
    # Related rows come in one plain query each instead of order_list's joins: PostgreSQL plans a
    # seven-table join in milliseconds, more than running the small queries. The workflow definition
    # (a JSON document of some kilobytes) is loaded once per version by `_complete`.
    return (
        orders.select_related(None)
        .prefetch_related("lines", "customer", "placed_by", "assignee__user", "order_type")
        .annotate(api_refunded=_REFUNDED)
    )


def _complete(seller: Seller, orders: list[Order]) -> list[Order]:
    """Give the orders their seller and their workflow versions: one query."""
    ids = {order.workflow_version_id for order in orders}
    versions = {version.pk: version for version in WorkflowVersion.objects.filter(pk__in=ids)} if ids else {}
    for order in orders:
        order.seller = seller
        order.workflow_version = versions[order.workflow_version_id]
    return orders


def order_of(seller: Seller, number: int) -> Order | None:
    """One of the seller's orders (archived ones too) as the API shows it."""
    orders = order_list(seller, OrderFilters(include_archived=True)).filter(number=number)
    found = _with_everything(orders).first()
    return _complete(seller, [found])[0] if found is not None else None


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next: str | None


def orders_page(seller: Seller, filters: OrderFilters, *, limit: int, cursor: str | None) -> Page:
    """One page of the dashboard's list (same filters, same order), after `cursor`."""
    sort = filters.sort
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    field = SORT_FIELDS[name]
    kind = dt.date if name == "estimated_completion" else dt.datetime
    nullable = Order._meta.get_field(field).null
    orders = _with_everything(order_list(seller, filters))
    if not nullable:
        # The same order as order_list's, whose "nulls last" makes PostgreSQL sort every row of the
        # seller instead of reading the (seller, archived, -last_activity_at) index up to the limit.
        orders = orders.order_by(F(field).desc() if descending else F(field).asc(), "-number")
    if cursor:
        payload = pagination.decode(cursor, sort=sort)
        orders = orders.filter(
            pagination.after(
                field,
                pagination.cursor_value(payload, "value", kind),
                descending=descending,
                nullable=nullable,
                tiebreak="number",
                tiebreak_value=pagination.cursor_value(payload, "number", int),
            )
        )
    rows = list(orders[: limit + 1])
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        following = pagination.encode({"sort": sort, "value": getattr(last, field), "number": last.number})
    return Page(items=_complete(seller, rows), next=following)


def customers_page(seller: Seller, *, search: str, limit: int, cursor: str | None) -> Page:
    """The seller's customers by name (then id), with their contacts."""
    customers = (
        Customer.objects.filter(seller=seller)
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("pk")))
        .order_by("name", "pk")
    )
    if search.strip():
        customers = customers.filter(name__icontains=search.strip())
    if cursor:
        payload = pagination.decode(cursor, sort="name")
        name = pagination.cursor_value(payload, "value", str)
        pk = pagination.cursor_value(payload, "id", int)
        customers = customers.filter(name__gt=name) | customers.filter(name=name, pk__gt=pk)
    rows = list(customers[: limit + 1])
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = pagination.encode({"sort": "name", "value": rows[-1].name, "id": rows[-1].pk})
    return Page(items=rows, next=following)


def customer_of(seller: Seller, customer_id: int) -> Customer | None:
    return (
        Customer.objects.filter(seller=seller, pk=customer_id)
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("pk")))
        .first()
    )


def contact_of(seller: Seller, contact_id: int) -> Contact | None:
    return Contact.objects.filter(customer__seller=seller, pk=contact_id).select_related("customer").first()


# ----------------------------------------------------------------------------------------------
# A contact's notification preferences


@dataclass(frozen=True)
class CategoryChoice:
    category: str
    label: str
    mandatory: bool
    enabled: bool
    channels: list[str]  # the contact's own choice; empty: their default channels
    effective_channels: list[str]
    why: str


def contact_preferences(contact: Contact) -> tuple[list[CategoryChoice], dict[str, Any] | None]:
    """Per category: the contact's choice and what notifications would do now; and their own delivery
    hours (None: the seller's apply)."""
    person = Recipient(
        key=f"contact:{contact.pk}",
        name=contact.name,
        why="",
        contact=contact,
        email=contact.email,
        locale=contact.locale,
        time_zone=contact.time_zone,
    )
    chosen = {p.category: list(p.channels) for p in Preference.objects.filter(contact=contact)}
    rows = []
    for category in Category:
        decided = choice(person, category.value)
        rows.append(
            CategoryChoice(
                category=category.value,
                label=category.label,
                mandatory=category in MANDATORY,
                enabled=decided.enabled,
                channels=chosen.get(category.value, []),
                effective_channels=list(decided.channels),
                why=decided.why,
            )
        )
    own = DeliverySchedule.objects.filter(contact=contact).first()
    return rows, (own.schedule if own is not None else None)


# ----------------------------------------------------------------------------------------------
# Webhook deliveries


def webhooks_of(seller: Seller) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(seller=seller).order_by("pk")


def webhook_of(seller: Seller, endpoint_id: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(seller=seller, pk=endpoint_id).first()


def _attempts() -> Prefetch:
    return Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("started_at", "pk"))


def webhook_deliveries_page(endpoint: WebhookEndpoint, *, limit: int, cursor: str | None) -> Page:
    """The endpoint's deliveries, newest first, with their attempts and the message they carry."""
    deliveries = (
        Delivery.objects.filter(notification__webhook=endpoint, notification__seller_id=endpoint.seller_id)
        .select_related("notification__order", "notification__event")
        .prefetch_related(_attempts())
        .order_by("-pk")
    )
    if cursor:
        payload = pagination.decode(cursor, sort="-id")
        deliveries = deliveries.filter(pk__lt=pagination.cursor_value(payload, "id", int))
    rows = list(deliveries[: limit + 1])
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = pagination.encode({"sort": "-id", "id": rows[-1].pk})
    return Page(items=rows, next=following)


def webhook_delivery_of(endpoint: WebhookEndpoint, delivery_id: int) -> Delivery | None:
    return (
        Delivery.objects.filter(
            pk=delivery_id, notification__webhook=endpoint, notification__seller_id=endpoint.seller_id
        )
        .select_related("notification__webhook", "notification__order", "notification__event")
        .prefetch_related(_attempts())
        .first()
    )
