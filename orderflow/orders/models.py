"""Orders, their lines and refunds, and the activity log every change appends to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Contact, Customer, Membership, Seller
from orderflow.catalog.models import Item, search_key
from orderflow.core.immutable import AppendOnly
from orderflow.workflows.definition import State, Workflow
from orderflow.workflows.models import OrderType, WorkflowVersion

# Where orders without an estimated completion sort: after every real date, or before.
LAST_DAY = dt.date(9999, 12, 31)
FIRST_DAY = dt.date(1, 1, 1)


class Order(models.Model):
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="orders")
    number = models.PositiveIntegerField(help_text="Per seller, starting at 1")
    order_type = models.ForeignKey(OrderType, on_delete=models.PROTECT, related_name="orders")
    workflow_version = models.ForeignKey(WorkflowVersion, on_delete=models.PROTECT, related_name="orders")
    state = models.CharField(max_length=40)
    state_category = models.CharField(max_length=16, help_text="Copied from the workflow state for filtering")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    placed_by = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    customer_notes = models.TextField(blank=True)
    currency = models.CharField(max_length=3)
    submitted_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When the order reached a final state")
    estimated_completion = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_orders"
    )
    internal_notes = models.TextField(blank=True, help_text="Staff only; never shown to the customer")
    cancel_reason = models.TextField(blank=True)
    options = models.JSONField(
        default=dict,
        blank=True,
        help_text="The order's own choices where the workflow leaves them to each order, e.g. fulfilment",
    )
    archived = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every change (optimistic locking)")
    # The estimated completion as the two sorts by it read it, orders without one last either way: a
    # stored column each, so that one plain index serves each sort on SQLite and PostgreSQL alike.
    due_soonest = models.GeneratedField(
        expression=Coalesce("estimated_completion", Value(LAST_DAY)),
        output_field=models.DateField(),
        db_persist=True,
    )
    due_latest = models.GeneratedField(
        expression=Coalesce("estimated_completion", Value(FIRST_DAY)),
        output_field=models.DateField(),
        db_persist=True,
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "number"], name="order_number_per_seller")]
        # One index per filter and sort of Manage Orders (`orders.selectors.order_list`), so that a page
        # reads its fifty rows from an index, never the seller's million.
        indexes = [
            models.Index(fields=["seller", "archived", "-last_activity_at"]),
            models.Index(fields=["seller", "archived", "-submitted_at"]),
            models.Index(fields=["seller", "archived", "due_soonest", "-number"], name="order_due_soonest"),
            models.Index(fields=["seller", "archived", "-due_latest", "-number"], name="order_due_latest"),
            models.Index(
                fields=["seller", "archived", "state_category", "-last_activity_at"], name="order_category"
            ),
            models.Index(
                fields=["seller", "archived", "order_type", "state", "-last_activity_at"], name="order_state"
            ),
            models.Index(
                fields=["seller", "archived", "assignee", "-last_activity_at"], name="order_assignee"
            ),
            models.Index(fields=["seller", "-last_activity_at"], name="order_all_by_activity"),
            models.Index(fields=["seller", "customer"]),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"

    @property
    def workflow(self) -> Workflow:
        return self.workflow_version.workflow

    @property
    def current_state(self) -> State:
        return self.workflow.state(self.state)

    @property
    def is_final(self) -> bool:
        return self.current_state.final

    @property
    def fulfilment(self) -> str:
        """pickup or delivery where the customer chose; empty where the seller decides for every order."""
        return str(self.options.get("fulfilment", ""))

    @property
    def lines_editable(self) -> bool:
        return not self.is_final and self.workflow.lines_editable(self.state)

    def totals(self) -> Totals:
        return totals_of(self.lines.all())

    def total(self) -> Decimal:
        """What the customer pays, taxes included."""
        return self.totals().total

    def refunded_total(self) -> Decimal:
        value = self.refunds.aggregate(total=Sum("amount"))["total"]
        return Decimal(value or 0)


class OrderCount(models.Model):
    """How many of a seller's orders are in one state (of one order type), archived or not: kept exact
    by the order actions in the same transaction as each change (`orders.actions.counting`), so that no
    page counts a million orders for its badge or its totals."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    order_type = models.ForeignKey(OrderType, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=40)
    archived = models.BooleanField()
    state_category = models.CharField(max_length=16)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "order_type", "state", "archived"], name="order_count_per_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state}: {self.count}"


class OrderSearch(models.Model):
    """What a search finds an order by in its own text, without accents and case-folded (`search_key`):
    its number as #n#, title, notes and lines. Its customer's text is `CustomerSearch`, one per customer.
    Kept in step by the actions; searched through `orders.selectors.search` (a pg_trgm GIN index on
    PostgreSQL, an FTS5 trigram table on SQLite, both made by the migrations)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, primary_key=True, related_name="search")
    order_text = models.TextField(default="")

    def __str__(self) -> str:
        return f"search of order {self.order_id}"


class CustomerSearch(models.Model):
    """What a search finds a customer's orders by: its name and account number, its contacts' names and
    emails, as `OrderSearch` keeps them. One row per customer, not one per order: a customer's change
    rewrites one row, and a search for a customer reads a few of the seller's customers, then their orders
    by the orders' own index. Made with the customer's first order; kept in step by the actions."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="+")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(default="")

    def __str__(self) -> str:
        return f"search of customer {self.customer_id}"


def order_search_text(order: Order, lines: Iterable[OrderLine]) -> str:
    parts = [f"#{order.number}#", order.title, order.customer_notes, order.internal_notes]
    for line in lines:
        parts += [line.sku, line.description, line.substitute_description, line.backup_description]
    return search_key(" ".join(part for part in parts if part))


def customer_search_text(customer: Customer, contacts: Iterable[Contact]) -> str:
    parts = [customer.name, customer.reference]
    for contact in contacts:
        parts += [contact.name, contact.email]
    return search_key(" ".join(part for part in parts if part))


class LineStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    SUBSTITUTED = "substituted", _("Substituted")


CENT = Decimal("0.01")


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax: Decimal
    total: Decimal


def totals_of(lines: Iterable[PricedLine]) -> Totals:
    """An order's totals: the one place they are computed (pages, API, webhooks, refunds, messages).

    Tax is rounded to the cent per line; lines marked out of stock and lines without a price (awaiting a
    quote) count for nothing."""
    subtotal = tax = Decimal(0)
    for line in lines:
        amount = line.amount
        if amount is None or getattr(line, "status", None) == LineStatus.OUT_OF_STOCK:
            continue
        subtotal += amount
        tax += line.tax_amount or 0
    return Totals(subtotal.quantize(CENT), tax.quantize(CENT), (subtotal + tax).quantize(CENT))


class PricedLine(models.Model):
    """What an order line and a quote line share: what is sold, how many, at what price and tax."""

    position = models.PositiveIntegerField()
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Empty: free line"
    )
    sku = models.CharField(max_length=60, blank=True)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    tax_rate = models.DecimalField(
        max_digits=6, decimal_places=3, default=Decimal("0"), help_text="Percent, copied from the item"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.description

    @property
    def amount(self) -> Decimal | None:
        if self.unit_price is None:
            return None
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def tax_amount(self) -> Decimal | None:
        amount = self.amount
        if amount is None:
            return None
        return (amount * self.tax_rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


class OrderLine(PricedLine):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    backup_item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Customer's pick"
    )
    backup_description = models.CharField(
        max_length=300, blank=True, help_text="What the customer accepts instead if this is out of stock"
    )
    status = models.CharField(max_length=16, choices=LineStatus.choices, default=LineStatus.AVAILABLE)
    substitute_description = models.CharField(max_length=300, blank=True)
    substitute_item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="line_position_per_order")]


class Refund(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.amount} on {self.order}"


class EventType(models.TextChoices):
    PLACED = "placed", _("Order placed")
    SEEN = "seen", _("Opened by staff")
    TRANSITIONED = "transitioned", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    ESTIMATE_SET = "estimate_set", _("Estimated completion set")
    INTERNAL_NOTES = "internal_notes", _("Internal notes edited")
    LINE_UPDATED = "line_updated", _("Line updated")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    ARCHIVED = "archived", _("Archived")
    DELIVERY_TIME = "delivery_time", _("Delivery time chosen")
    FEEDBACK = "feedback", _("Feedback received")
    MESSAGE = "message", _("Message posted")
    CALL_DONE = "call_done", _("Call made")
    SHIPPED = "shipped", _("Shipped")
    # Customer confirmations of a quote (quotes app, source article 003).
    CONFIRMATION_SENT = "confirmation_sent", _("Customer confirmation sent")
    CONFIRMATION_REVOKED = "confirmation_revoked", _("Customer confirmation withdrawn")
    CONFIRMATION_ACCEPTED = "confirmation_accepted", _("Terms accepted by the customer")
    QUOTE_PROGRESSED = "quote_progressed", _("Quote progressed into the order")
    QUOTE_DRAFTED = "quote_drafted", _("Quote drafted")
    QUOTE_EDITED = "quote_edited", _("Quote draft edited")
    QUOTE_SENT = "quote_sent", _("Quote sent")
    QUOTE_ACCEPTED = "quote_accepted", _("Quote accepted")
    QUOTE_DECLINED = "quote_declined", _("Quote declined")
    QUOTE_EXPIRED = "quote_expired", _("Quote expired")
    PEOPLE_ADDED = "people_added", _("Participants or leads saved")
    PERSON_CHANGED = "person_changed", _("Participant or lead changed")
    PERSON_REMOVED = "person_removed", _("Lead removed")
    PERSON_CONVERTED = "person_converted", _("Participant made a lead")
    OPT_IN = "opt_in", _("Opt-in answered")
    IMPORT_FINISHED = "import_finished", _("Import of people finished")


# Events the customer's timeline never shows.
STAFF_ONLY_EVENTS = frozenset(
    {
        EventType.SEEN,
        EventType.ASSIGNED,
        EventType.INTERNAL_NOTES,
        EventType.ARCHIVED,
        EventType.CALL_DONE,
        EventType.QUOTE_DRAFTED,  # a draft is the seller's until it is sent
        EventType.QUOTE_EDITED,
        # Participants and leads are the provider's sales data, kept off the customer's timeline.
        EventType.PEOPLE_ADDED,
        EventType.PERSON_CHANGED,
        EventType.PERSON_REMOVED,
        EventType.PERSON_CONVERTED,
        EventType.OPT_IN,
        EventType.IMPORT_FINISHED,
    }
)


class OrderEvent(AppendOnly):
    """One line of the activity log. Appended in the same transaction as the change; never edited."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=24, choices=EventType.choices)
    actor_kind = models.CharField(max_length=10)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    append_only_name = "The activity log"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.order_id}"

    @property
    def customer_visible(self) -> bool:
        if self.type == EventType.MESSAGE:
            return not self.data.get("internal", False)
        return self.type not in STAFF_ONLY_EVENTS


# Carriers people can start from: name and tracking page, {tracking} standing for the tracking number.
CARRIER_PRESETS: tuple[tuple[str, str], ...] = (
    ("Canada Post", "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={tracking}"),
    ("Purolator", "https://www.purolator.com/en/shipping/tracker?pin={tracking}"),
    ("UPS", "https://www.ups.com/track?tracknum={tracking}"),
    ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={tracking}"),
    ("DHL Express", "https://www.dhl.com/global-en/home/tracking.html?tracking-id={tracking}"),
    ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking}"),
    ("La Poste / Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}"),
)
TRACKING_PLACEHOLDER = "{tracking}"


class Carrier(models.Model):
    """A delivery company a seller ships with, and where its tracking pages are."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="carriers")
    name = models.CharField(max_length=80)
    url_pattern = models.CharField(
        max_length=500, help_text="An https address with {tracking} where the tracking number goes"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["seller", "name"], name="carrier_name_per_seller")]

    def __str__(self) -> str:
        return self.name


class Shipment(models.Model):
    """A parcel sent for an order (an order may have several). The tracking link is built when it is
    recorded, so a carrier's later change of address leaves sent messages and this link alike."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.ForeignKey(Carrier, null=True, on_delete=models.SET_NULL, related_name="shipments")
    carrier_name = models.CharField(max_length=80)
    tracking_number = models.CharField(max_length=60)
    tracking_url = models.CharField(max_length=700)
    estimated_delivery = models.DateField(null=True, blank=True)
    shipped_at = models.DateTimeField()
    created_by_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["shipped_at", "id"]

    def __str__(self) -> str:
        return f"{self.carrier_name} {self.tracking_number}"


def describe_line_change(data: dict[str, Any]) -> list[str]:
    """A line change of the activity log (`LINE_UPDATED`) in sentences of the active language: what staff
    and customers read on the order, and what the message telling the customer says."""
    item = data.get("description", "")
    number = data.get("line", "")
    change = data.get("change", "")
    if change == "added":
        after = data.get("after", {})
        return [
            _("Line %(number)s added: %(quantity)s x %(item)s")
            % {"number": number, "quantity": after.get("quantity", ""), "item": item}
        ]
    if change == "removed":
        return [_("Line %(number)s removed: %(item)s") % {"number": number, "item": item}]
    before, after = data.get("before", {}), data.get("after", {})
    sentences: list[str] = []
    if "quantity" in after:
        sentences.append(
            _("%(item)s: quantity changed from %(before)s to %(after)s")
            % {"item": item, "before": before.get("quantity"), "after": after["quantity"]}
        )
    if "unit_price" in after:
        sentences.append(
            _("%(item)s: unit price changed from %(before)s to %(after)s")
            % {"item": item, "before": before.get("unit_price") or "—", "after": after["unit_price"] or "—"}
        )
    if change != "edited" or "status" in after or "substitute" in after:
        status = data.get("status", "")
        if status == LineStatus.SUBSTITUTED:
            sentences.append(
                _("%(item)s replaced by %(substitute)s")
                % {"item": item, "substitute": data.get("substitute")}
            )
        elif status == LineStatus.OUT_OF_STOCK:
            sentences.append(_("%(item)s is out of stock") % {"item": item})
        elif status:
            sentences.append(_("%(item)s is available") % {"item": item})
    return sentences
