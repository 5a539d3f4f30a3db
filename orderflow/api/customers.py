"""/customers and /contacts: who orders, and how each contact wants to be told."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import pgettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from orderflow.accounts.actions import add_contact, add_customer
from orderflow.accounts.models import Contact, Customer
from orderflow.api import selectors
from orderflow.api.auth import context_of
from orderflow.api.errors import not_found, reads, writes
from orderflow.api.inputs import RowId, Text
from orderflow.notifications import windows
from orderflow.notifications.actions import save_preferences

router = Router(tags=["customers"])


class ContactOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    locale: str
    time_zone: str
    preferred_channels: list[str]
    messenger_url: str
    created_at: dt.datetime

    @classmethod
    def from_contact(cls, contact: Contact) -> ContactOut:
        return cls(
            id=contact.pk,
            name=contact.name,
            email=contact.email,
            phone=contact.phone,
            locale=contact.locale,
            time_zone=contact.time_zone,
            preferred_channels=list(contact.preferred_channels),
            messenger_url=contact.messenger_url,
            created_at=contact.created_at,
        )


class CustomerOut(Schema):
    id: int
    name: str
    kind: str
    email_domain: str
    reference: str
    created_at: dt.datetime
    contacts: list[ContactOut]

    @classmethod
    def from_customer(cls, customer: Customer) -> CustomerOut:
        """Expects contacts prefetched."""
        return cls(
            id=customer.pk,
            name=customer.name,
            kind=customer.kind,
            email_domain=customer.email_domain,
            reference=customer.reference,
            created_at=customer.created_at,
            contacts=[ContactOut.from_contact(contact) for contact in customer.contacts.all()],
        )


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class CustomerQuery(Schema):
    search: Text = Field("", description="In customer names")
    limit: int = Field(50, ge=1, le=100)
    cursor: Text | None = Field(None, description="The `next` of the previous page")


class CustomerIn(Schema):
    name: Text
    kind: Text = Field("", description="e.g. bar, partner, household, prospect")
    email_domain: Text = ""
    reference: Text = Field("", description="Your account number for them")


class ContactIn(Schema):
    name: Text
    email: Text = ""
    phone: Text = Field("", description="International form, e.g. +14155550123")
    locale: Text = "en"
    time_zone: Text = "UTC"
    preferred_channels: list[Text] = Field(default_factory=lambda: ["email"])
    messenger_url: Text = Field("", description="Apprise URL of their messenger chat")


@router.get("/customers", response=reads({200: CustomerPageOut}, 400, 422), operation_id="list_customers")
def list_customers(request: HttpRequest, query: Query[CustomerQuery]) -> CustomerPageOut:
    """The seller's customers by name, with their contacts, a page at a time."""
    page = selectors.customers_page(
        context_of(request).seller, search=query.search, limit=query.limit, cursor=query.cursor
    )
    return CustomerPageOut(items=[CustomerOut.from_customer(c) for c in page.items], next=page.next)


@router.post("/customers", response=writes({201: CustomerOut}), operation_id="create_customer")
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status:
    customer = add_customer(
        context_of(request).seller,
        name=payload.name,
        kind=payload.kind,
        email_domain=payload.email_domain,
        reference=payload.reference,
    )
    return Status(201, CustomerOut.from_customer(customer))


@router.get(
    "/customers/{customer_id}", response=reads({200: CustomerOut}, 404, 422), operation_id="get_customer"
)
def get_customer(request: HttpRequest, customer_id: RowId) -> CustomerOut:
    customer = selectors.customer_of(context_of(request).seller, customer_id)
    if customer is None:
        raise not_found(pgettext("no such", "customer"))
    return CustomerOut.from_customer(customer)


@router.post(
    "/customers/{customer_id}/contacts",
    response=writes({201: ContactOut}, 404),
    operation_id="create_contact",
)
def create_contact(request: HttpRequest, customer_id: RowId, payload: ContactIn) -> Status:
    """Add a person at the customer; they need an email address or a phone number."""
    customer = Customer.objects.filter(seller=context_of(request).seller, pk=customer_id).first()
    if customer is None:
        raise not_found(pgettext("no such", "customer"))
    contact = add_contact(
        customer,
        name=payload.name,
        email=payload.email,
        phone=payload.phone,
        locale=payload.locale,
        time_zone=payload.time_zone,
        preferred_channels=payload.preferred_channels,
        messenger_url=payload.messenger_url,
    )
    return Status(201, ContactOut.from_contact(contact))


@router.get("/contacts/{contact_id}", response=reads({200: ContactOut}, 404, 422), operation_id="get_contact")
def get_contact(request: HttpRequest, contact_id: RowId) -> ContactOut:
    contact = selectors.contact_of(context_of(request).seller, contact_id)
    if contact is None:
        raise not_found(pgettext("no such", "contact"))
    return ContactOut.from_contact(contact)


# ----------------------------------------------------------------------------------------------
# Preferences


WEEKDAYS = [day.lower() for day in windows.WEEKDAYS]


def _weekdays(week: dict[str, str] | None) -> dict[str, str] | None:
    if week is not None:
        unknown = sorted(set(week) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown weekday(s) {', '.join(unknown)}; use {', '.join(WEEKDAYS)}")
    return week


Hours = Annotated[dict[str, Text] | None, AfterValidator(_weekdays)]


class CategoryPreferenceOut(Schema):
    category: str
    label: str
    mandatory: bool = Field(description="Cannot be turned off (cancellations and refunds)")
    enabled: bool
    channels: list[str] = Field(description="The contact's own choice; empty: their preferred channels")
    effective_channels: list[str] = Field(description="The channels notifications use now")
    why: str


class PreferencesOut(Schema):
    categories: list[CategoryPreferenceOut]
    hours: dict[str, str] | None = Field(
        description="Delivery hours per weekday ('09:00-12:00, 14:00-20:00'; '' = none that day), in the "
        "contact's time zone; null: the seller's hours apply"
    )


class CategoryPreferenceIn(Schema):
    enabled: bool
    channels: list[Text] = Field(default_factory=list, description="Empty: their preferred channels")


class PreferencesIn(Schema):
    categories: dict[Text, CategoryPreferenceIn] = Field(
        default_factory=dict, description="Category -> choice; categories left out are unchanged"
    )
    hours: Hours = Field(
        description="Weekday (monday..sunday) -> '09:00-12:00, 14:00-20:00'; days left out get no "
        "deliveries; null: back to the seller's hours. Required: a PUT states the hours."
    )


def _preferences(contact: Contact) -> PreferencesOut:
    rows, schedule = selectors.contact_preferences(contact)
    hours = None
    if schedule is not None:
        hours = {name: windows.format_spans(schedule.get(str(day), [])) for day, name in enumerate(WEEKDAYS)}
    return PreferencesOut(categories=[CategoryPreferenceOut(**vars(row)) for row in rows], hours=hours)


@router.get(
    "/contacts/{contact_id}/preferences",
    response=reads({200: PreferencesOut}, 404, 422),
    operation_id="get_contact_preferences",
)
def get_preferences(request: HttpRequest, contact_id: RowId) -> PreferencesOut:
    """What the contact is told, on which channels, and when."""
    contact = selectors.contact_of(context_of(request).seller, contact_id)
    if contact is None:
        raise not_found(pgettext("no such", "contact"))
    return _preferences(contact)


@router.put(
    "/contacts/{contact_id}/preferences",
    response=writes({200: PreferencesOut}, 404),
    operation_id="set_contact_preferences",
)
def put_preferences(request: HttpRequest, contact_id: RowId, payload: PreferencesIn) -> PreferencesOut:
    """Record the contact's choices (as staff do on their behalf); nothing is saved if any is refused."""
    context = context_of(request)
    contact = selectors.contact_of(context.seller, contact_id)
    if contact is None:
        raise not_found(pgettext("no such", "contact"))
    save_preferences(
        contact,
        choices={key: (choice.enabled, choice.channels) for key, choice in payload.categories.items()},
        week=payload.hours,
        actor=context.actor,
    )
    return _preferences(contact)
