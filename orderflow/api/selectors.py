"""Reads only the API needs, built on the shared selectors. Every function takes the seller it reads for,
and loads a page in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum

from orderflow.accounts.models import Contact, Customer, Membership, Seller
from orderflow.accounts.selectors import customers_matching
from orderflow.api import pagination
from orderflow.integrations.models import WebhookEndpoint
from orderflow.notifications.channels.webhook.selectors import webhook_deliveries
from orderflow.notifications.models import (
    MANDATORY,
)
from orderflow.notifications.recipients import as_recipient, choices_for
from orderflow.orders.models import Order, OrderLine, Refund, Shipment, totals_of
from orderflow.orders.selectors import SORT_FIELDS, OrderFilters, order_list
from orderflow.orders.shapes import line_shape, shipment_shape
from orderflow.workflows.models import OrderType, WorkflowVersion
from orderflow.workflows.selectors import versions_of

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
        .prefetch_related("lines", "shipments", "customer", "placed_by", "assignee__user", "order_type")
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


# What a list item shows, read as plain values (no model instances), each table on its own: PostgreSQL
# spends milliseconds planning a join of the seven tables, more than running these small queries.
_ORDER_COLUMNS = (
    "pk",
    "number",
    "title",
    "order_type_id",
    "workflow_version_id",
    "state",
    "customer_id",
    "placed_by_id",
    "assignee_id",
    "customer_notes",
    "internal_notes",
    "currency",
    "submitted_at",
    "last_activity_at",
    "seen_at",
    "closed_at",
    "estimated_completion",
    "cancel_reason",
    "archived",
    "version",
    "options",
)
_LINE_COLUMNS = (
    "order_id",
    "position",
    "sku",
    "description",
    "quantity",
    "unit_price",
    "backup_description",
    "status",
    "substitute_description",
    "item_id",
    "backup_item_id",
    "substitute_item_id",
    "tax_rate",
)
CENT = Decimal("0.01")
_ENCODER = DjangoJSONEncoder()


def orders_page(seller: Seller, filters: OrderFilters, *, limit: int, cursor: str | None) -> Page:
    """One page of the dashboard's list (same filters, same order), after `cursor`, as the dicts
    `schemas.OrderOut` documents (times as the API writes them): the orders, their lines, and the names
    of their customers, contacts, assignees and order types, a query each; the workflow versions only
    the first time a process meets them."""
    sort = filters.sort
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    field = SORT_FIELDS[name]
    kind = dt.date if name == "estimated_completion" else dt.datetime
    orders = order_list(seller, filters)
    if cursor:
        payload = pagination.decode(cursor, sort=sort)
        orders = orders.filter(
            pagination.after(
                field,
                pagination.cursor_value(payload, "value", kind),
                descending=descending,
                nullable=Order._meta.get_field(field).null,
                tiebreak="number",
                tiebreak_value=pagination.cursor_value(payload, "number", int),
            )
        )
    rows = list(orders.values(*_ORDER_COLUMNS, refunded=_REFUNDED)[: limit + 1])
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = pagination.encode({"sort": sort, "value": rows[-1][field], "number": rows[-1]["number"]})
    if not rows:
        return Page(items=[], next=None)
    names = _Names(rows)
    return Page(items=[_order_item(row, names, seller.locale) for row in rows], next=following)


class _Names:
    """What the page's orders name, read in one query per table (only the columns shown)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.lines: dict[int, list[dict[str, Any]]] = {row["pk"]: [] for row in rows}
        lines = OrderLine.objects.filter(order_id__in=self.lines).order_by("order_id", "position")
        for line in lines.values(*_LINE_COLUMNS):
            self.lines[line["order_id"]].append(line)
        self.shipments: dict[int, list[Shipment]] = {row["pk"]: [] for row in rows}
        for shipment in Shipment.objects.filter(order_id__in=self.shipments).order_by("shipped_at", "id"):
            self.shipments[shipment.order_id].append(shipment)
        self.customers = dict(_pairs(Customer.objects, {row["customer_id"] for row in rows}, "name"))
        self.contacts = dict(_pairs(Contact.objects, {row["placed_by_id"] for row in rows}, "name"))
        self.order_types = dict(_pairs(OrderType.objects, {row["order_type_id"] for row in rows}, "key"))
        assignees = _pairs(
            Membership.objects,
            {row["assignee_id"] for row in rows},
            "user__first_name",
            "user__last_name",
            "user__username",
        )
        # As Membership.display_name: the full name, else the username
        self.assignees = {
            pk: f"{first} {last}".strip() or username for pk, first, last, username in assignees
        }
        self.versions = versions_of({row["workflow_version_id"]: row["order_type_id"] for row in rows})


def _pairs(manager: Any, ids: set[int | None], *columns: str) -> list[tuple[Any, ...]]:
    ids.discard(None)
    return list(manager.filter(pk__in=ids).values_list("pk", *columns)) if ids else []


def _order_item(row: dict[str, Any], names: _Names, locale: str) -> dict[str, Any]:
    """One order as `schemas.OrderOut` (the values `OrderOut.from_order` gives), from the page's rows."""
    version = names.versions[row["workflow_version_id"]]
    state = version.workflow.state(row["state"])
    # Unsaved rows, so that lines and totals are shaped and summed as everywhere else (orders.shapes).
    lines = [OrderLine(**line) for line in names.lines[row["pk"]]]
    totals = totals_of(lines)
    placed_by, assignee = row["placed_by_id"], row["assignee_id"]
    return {
        "number": row["number"],
        "title": row["title"],
        "order_type": names.order_types[row["order_type_id"]],
        "workflow_version": version.number,
        "state": row["state"],
        "state_label": state.label(locale),
        "customer_state_label": state.customer_label(locale),
        "category": state.category,
        "final": state.final,
        "customer": {"id": row["customer_id"], "name": names.customers[row["customer_id"]]},
        "placed_by": None if placed_by is None else {"id": placed_by, "name": names.contacts[placed_by]},
        "assignee": None if assignee is None else {"id": assignee, "name": names.assignees[assignee]},
        "customer_notes": row["customer_notes"],
        "internal_notes": row["internal_notes"],
        "currency": row["currency"],
        "subtotal": str(totals.subtotal),
        "tax": str(totals.tax),
        "total": str(totals.total),
        "fulfilment": str((row["options"] or {}).get("fulfilment", "")),
        # Quantized here: SQLite's sums come back without their scale ("30" for 30.00).
        "refunded": str(Decimal(row["refunded"] or 0).quantize(CENT)),
        "submitted_at": json_time(row["submitted_at"]),
        "last_activity_at": json_time(row["last_activity_at"]),
        "seen_at": json_time(row["seen_at"]),
        "closed_at": json_time(row["closed_at"]),
        "estimated_completion": json_time(row["estimated_completion"]),
        "cancel_reason": row["cancel_reason"],
        "archived": row["archived"],
        "version": row["version"],
        "lines": [line_shape(line) for line in lines],
        "shipments": [
            {
                **shipment_shape(shipment),
                "estimated_delivery": json_time(shipment.estimated_delivery),
                "shipped_at": json_time(shipment.shipped_at),
            }
            for shipment in names.shipments[row["pk"]]
        ],
    }


def json_time(value: dt.datetime | dt.date | None) -> str | None:
    """A time or date as the API's JSON writes it (Django's encoder: to the millisecond, Z for UTC)."""
    return None if value is None else _ENCODER.default(value)


def customers_page(seller: Seller, *, search: str, limit: int, cursor: str | None) -> Page:
    """The seller's customers by name (then id), with their contacts and domains."""
    customers = customers_matching(seller, search)
    if cursor:
        payload = pagination.decode(cursor, sort="name")
        name = pagination.cursor_value(payload, "value", str)
        pk = pagination.cursor_value(payload, "id", int)
        customers = customers.filter(Q(name__gt=name) | Q(name=name, pk__gt=pk))
    rows, last = pagination.cut(list(customers[: limit + 1]), limit)
    following = pagination.encode({"sort": "name", "value": last.name, "id": last.pk}) if last else None
    return Page(items=rows, next=following)


def contact_of(seller: Seller, contact_id: int) -> Contact | None:
    return (
        Contact.objects.filter(customer__seller=seller, pk=contact_id)
        .select_related("customer", "schedule")
        .first()
    )


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
    person = as_recipient(contact)
    rows = [
        CategoryChoice(
            category=category.value,
            label=str(category.label),
            mandatory=category in MANDATORY,
            enabled=decided.enabled,
            channels=list(pref.channels) if pref else [],
            effective_channels=list(decided.channels),
            why=decided.why,
        )
        for category, decided, pref in choices_for(person)
    ]
    return rows, person.hours


# ----------------------------------------------------------------------------------------------
# Webhook deliveries


def webhook_deliveries_page(endpoint: WebhookEndpoint, *, limit: int, cursor: str | None) -> Page:
    """The endpoint's deliveries, newest first, with their attempts and the message they carry."""
    deliveries = webhook_deliveries(endpoint)
    if cursor:
        payload = pagination.decode(cursor, sort="-id")
        deliveries = deliveries.filter(pk__lt=pagination.cursor_value(payload, "id", int))
    rows = list(deliveries[: limit + 1])
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = pagination.encode({"sort": "-id", "id": rows[-1].pk})
    return Page(items=rows, next=following)
