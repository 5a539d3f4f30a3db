"""The shape of the demo description: plain, immutable data that `loader.play` acts out.

A seller lists its staff, its customers with their contacts, and order scripts. An order script says
who placed what, how many days ago, and the steps that followed, each some hours after the one
before. A step names an action and who took it: a staff handle, "customer" (the contact who placed
the order) or "system". Without `by`, the order's assignee acts, or else the seller's `lead`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orderflow.orders.actions import LineInput

STEP_KINDS = frozenset(
    {"open", "move", "assign", "estimate", "notes", "line", "cancel", "refund", "archive", "ship"}
    | {"people", "recipient"}
)


@dataclass(frozen=True)
class Product:
    """An item of a seller's catalogue; calling it with a quantity gives an order line."""

    sku: str
    name: str
    price: str | None  # None: priced later (e.g. by a quote)
    backup: str = ""  # what the customer accepts instead when it is out of stock
    # As the seller's catalogue lists it (`SellerSpec.catalog`); a request for quote lists no price.
    kind: str = "product"
    unit: str = ""
    tax_rate: str = "0"
    availability: str = "available"
    backup_sku: str = ""  # the catalogue's suggested backup item
    description: str = ""

    def __call__(self, quantity: int | str = 1) -> LineInput:
        return LineInput(self.name, quantity, self.price, sku=self.sku, backup_description=self.backup)


@dataclass(frozen=True)
class Person:
    """A staff member; the username is "<seller username prefix>-<handle>"."""

    handle: str
    role: str
    first_name: str
    last_name: str
    phone: str = ""


@dataclass(frozen=True)
class ContactSpec:
    key: str
    name: str
    email: str = ""
    phone: str = ""
    locale: str = "en"
    time_zone: str = "UTC"
    channels: tuple[str, ...] = ("email",)
    portal_login: bool = False  # signs in to the customer portal with their email and the demo password
    hours: str = ""  # their own delivery hours, every day (e.g. "00:00-23:59"); empty: the seller's


@dataclass(frozen=True)
class CustomerSpec:
    key: str
    name: str
    kind: str
    contacts: tuple[ContactSpec, ...]
    email_domain: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Step:
    do: str
    by: str = ""
    to: str = ""
    text: str = ""
    amount: str = ""
    line: int = 0
    days: int = 0
    after: float = 3.0  # hours after the previous step

    def __post_init__(self) -> None:
        if self.do not in STEP_KINDS:
            raise ValueError(f"unknown demo step {self.do!r}")


@dataclass(frozen=True)
class OrderSpec:
    customer: str
    contact: str
    title: str
    days_ago: float
    lines: tuple[LineInput, ...]
    notes: str = ""
    start: str = ""  # an entry state other than the workflow's initial one (e.g. flat-fee services)
    placed_by: str = "customer"  # or a staff handle: the order is then entered on the customer's behalf
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class SellerSpec:
    name: str
    slug: str
    username_prefix: str
    preset: str
    order_type_name: str
    lead: str  # the handle that acts when a step names nobody and the order has no assignee
    staff: tuple[Person, ...]
    customers: tuple[CustomerSpec, ...]
    orders: tuple[OrderSpec, ...]
    time_zone: str = "UTC"
    locale: str = "en"
    currency: str = "USD"
    options: dict[str, str] = field(default_factory=dict)
    # Extras on the status-change rule that tells the customer, per state entered (custom_message, upsell).
    rule_extras: dict[str, dict[str, str]] = field(default_factory=dict)
    carriers: tuple[str, ...] = ()  # names of orders.models.CARRIER_PRESETS the seller ships with
    catalog: tuple[Product, ...] = ()  # what the seller offers; order lines with the same SKU point at it

    def username(self, handle: str) -> str:
        return f"{self.username_prefix}-{handle}"


# Short constructors so the scripts in `data` read like the story they tell.


def open_(*, by: str = "", after: float = 3.0) -> Step:
    """A staff member opens the order (the distributor's Sent becomes Seen)."""
    return Step("open", by=by, after=after)


def move(to: str, note: str = "", *, by: str = "", after: float = 3.0) -> Step:
    return Step("move", by=by, to=to, text=note, after=after)


def assign(handle: str, *, by: str = "", after: float = 0.5) -> Step:
    return Step("assign", by=by, to=handle, after=after)


def estimate(days: int, *, by: str = "", after: float = 1.0) -> Step:
    """Set the estimated completion `days` after this step happens."""
    return Step("estimate", by=by, days=days, after=after)


def notes(text: str, *, by: str = "", after: float = 1.0) -> Step:
    return Step("notes", by=by, text=text, after=after)


def line(position: int, status: str, substitute: str = "", *, by: str = "", after: float = 1.0) -> Step:
    return Step("line", by=by, line=position, to=status, text=substitute, after=after)


def cancel(reason: str, refund: str = "", *, by: str = "", after: float = 3.0) -> Step:
    return Step("cancel", by=by, text=reason, amount=refund, after=after)


def refund(amount: str, reason: str, *, by: str = "", after: float = 24.0) -> Step:
    return Step("refund", by=by, text=reason, amount=amount, after=after)


def archive(*, by: str = "", after: float = 48.0) -> Step:
    return Step("archive", by=by, after=after)


def ship(carrier: str, tracking: str, *, days: int = 0, by: str = "", after: float = 3.0) -> Step:
    """Record a shipment with one of the seller's carriers, delivery expected `days` later (0: none)."""
    return Step("ship", by=by, to=carrier, text=tracking, days=days, after=after)


# The columns of a row of `people`, separated by "|": what leads.rules.PERSON_FIELDS names.
PEOPLE_COLUMNS = ("first_name", "last_name", "email", "phone", "company", "job_title")


def people(kind: str, *rows: str, by: str = "", after: float = 1.0) -> Step:
    """Add participants or leads (`kind`) to the order, one row per person as
    "first|last|email|phone|company|job title" (empty columns allowed), in one save."""
    return Step("people", by=by, to=kind, text="\n".join(rows), after=after)


def recipient(email: str, *, by: str = "", after: float = 0.5) -> Step:
    """Tell this address when participants or leads are added to the order."""
    return Step("recipient", by=by, text=email, after=after)
