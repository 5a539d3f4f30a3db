"""/customers and /contacts: who orders, and how each contact wants to be told."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Annotated, Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import pgettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, ConfigDict, StrictBool, WithJsonSchema, model_validator

from orderflow.accounts import actions as accounts
from orderflow.accounts.actions import MAX_DOMAINS
from orderflow.accounts.models import LOCALES, Contact, Customer, CustomerDomain
from orderflow.accounts.selectors import contact_for_staff, customer_for_staff
from orderflow.api import selectors
from orderflow.api.auth import context_of
from orderflow.api.errors import not_found, reads, writes
from orderflow.api.inputs import CURSOR, RowId, Text, fullmatch, one_of, text
from orderflow.notifications import windows
from orderflow.notifications.actions import save_preferences
from orderflow.notifications.channels import registry
from orderflow.notifications.models import Category, DeliverySchedule

router = Router(tags=["customers"])


def _length(model: type[models.Model], name: str) -> int:
    """The column's max_length: what the model's validation (in the action) allows."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField | models.TextField)
    assert field.max_length is not None
    return field.max_length


def _own_hours(contact: Contact) -> dict[str, str] | None:
    """The contact's delivery hours per weekday, or None when the seller's apply (expects
    select_related("schedule") where many are read)."""
    try:
        schedule = contact.schedule.schedule
    except DeliverySchedule.DoesNotExist:
        return None
    return {name: windows.format_spans(schedule.get(str(day), [])) for day, name in enumerate(WEEKDAYS)}


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    email: str
    phone: str
    locale: str
    time_zone: str
    preferred_channels: list[str]
    messenger_url: str
    hours: dict[str, str] | None = Field(
        description="Delivery hours per weekday ('09:00-12:00, 14:00-20:00'; '' = none that day), in the "
        "contact's time zone; null: the seller's hours apply"
    )
    is_active: bool = Field(description="False: deactivated; their links and portal login no longer work")
    reach_answered_at: dt.datetime | None = Field(
        description="When the contact (or staff for them) stated their channels and hours; null: not yet"
    )
    created_at: dt.datetime

    @classmethod
    def from_contact(cls, contact: Contact) -> ContactOut:
        return cls(
            id=contact.pk,
            customer_id=contact.customer_id,
            name=contact.name,
            email=contact.email,
            phone=contact.phone,
            locale=contact.locale,
            time_zone=contact.time_zone,
            preferred_channels=list(contact.preferred_channels),
            messenger_url=contact.messenger_url,
            hours=_own_hours(contact),
            is_active=contact.is_active,
            reach_answered_at=contact.reach_answered_at,
            created_at=contact.created_at,
        )


class CustomerOut(Schema):
    id: int
    name: str
    kind: str
    email_domains: list[str] = Field(description="Requests from these domains are this customer's")
    email_domain: str = Field(description="Deprecated: the first of `email_domains`, or ''")
    reference: str = Field(description="Your account number for them")
    notes: str = Field(description="Staff notes; never shown to the customer")
    created_at: dt.datetime
    contacts: list[ContactOut] = Field(description="Active contacts first")

    @classmethod
    def from_customer(cls, customer: Customer) -> CustomerOut:
        """Expects contacts and domains prefetched (accounts.selectors)."""
        domains = customer.domain_names
        return cls(
            id=customer.pk,
            name=customer.name,
            kind=customer.kind,
            email_domains=domains,
            email_domain=domains[0] if domains else "",
            reference=customer.reference,
            notes=customer.notes,
            created_at=customer.created_at,
            contacts=[ContactOut.from_contact(contact) for contact in customer.contacts.all()],
        )


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class CustomerQuery(Schema):
    search: Text = Field(
        "", description="Words in customer names, account numbers, email domains, contact names or emails"
    )
    limit: int = Field(50, ge=1, le=100)
    cursor: Annotated[str, text(pattern=CURSOR)] | None = Field(
        None, description="The `next` of the previous page"
    )


# A host name as DNS spells it (or nothing).
DOMAIN = r"^(([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})?$"
# One domain of a list: not empty.
A_DOMAIN = r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
Domains = Annotated[
    list[Annotated[str, text(_length(CustomerDomain, "domain"), pattern=A_DOMAIN)]],
    Field(max_length=MAX_DOMAINS),
]

_NAME = Annotated[str, text(_length(Customer, "name"), required=True)]
_KIND = Annotated[str, text(_length(Customer, "kind"))]
_REFERENCE = Annotated[str, text(_length(Customer, "reference"))]
_NOTES = Annotated[str, text(_length(Customer, "notes"))]


class CustomerIn(Schema):
    name: _NAME
    kind: _KIND = Field("", description="e.g. bar, partner, household, prospect")
    email_domains: Domains = Field(
        default_factory=list,
        description="Their own email domains, e.g. cornerbar.example (not public mail services); each "
        "names one customer of yours",
    )
    email_domain: Annotated[str, text(_length(CustomerDomain, "domain"), pattern=DOMAIN)] = Field(
        "", description="Deprecated: one more domain", json_schema_extra={"deprecated": True}
    )
    reference: _REFERENCE = Field("", description="Your account number for them, one per customer")
    notes: _NOTES = Field("", description="Staff notes; never shown to the customer")


class PatchSchema(Schema):
    """A PATCH body: an object whose fields are all optional (ninja would read any JSON value as one)."""

    model_config = ConfigDict(json_schema_extra={"type": "object"})

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(getattr(data, "_obj", data), dict):  # ninja's DjangoGetter wraps the body
            raise ValueError("the body must be a JSON object")
        return data


class CustomerPatch(PatchSchema):
    """Only the fields sent change (null: unchanged)."""

    name: _NAME | None = None
    kind: _KIND | None = None
    email_domains: Domains | None = Field(None, description="The whole list, replacing the current one")
    reference: _REFERENCE | None = None
    notes: _NOTES | None = None


# Addresses Django's EmailValidator accepts, without the rare forms (quoted local parts, address
# literals, internationalised domains) that clients would need to get exactly as Django reads them.
EMAIL = (
    r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})?$"
)
# accounts.models.phone_validator, with ASCII digits only; empty: no phone.
PHONE = r"^(\+[1-9][0-9]{6,14})?$"
# An Apprise URL names its service with a scheme; the service itself is judged by the action.
APPRISE_URL = r"^([^\x00]*://[^\x00]*)?$"

_EMAIL = Annotated[str, text(_length(Contact, "email"), pattern=EMAIL)]
_PHONE = Annotated[str, text(pattern=PHONE)]
_LOCALE = Annotated[str, one_of(code for code, _ in LOCALES)]
_TIME_ZONE = Annotated[str, one_of(zoneinfo.available_timezones())]
_CHANNELS = list[Annotated[str, one_of(registry.pickable("contact"))]]
_MESSENGER_URL = Annotated[str, text(_length(Contact, "messenger_url"), pattern=APPRISE_URL)]
_CONTACT_NAME = Annotated[str, text(_length(Contact, "name"), required=True)]


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    customer = customer_for_staff(context_of(request).seller, customer_id)
    if customer is None:
        raise not_found(pgettext("no such", "customer"))
    return customer


def _contact(request: HttpRequest, customer_id: int, contact_id: int) -> Contact:
    contact = contact_for_staff(context_of(request).seller, customer_id, contact_id)
    if contact is None:
        raise not_found(pgettext("no such", "contact"))
    return contact


@router.get("/customers", response=reads({200: CustomerPageOut}, 400, 422), operation_id="list_customers")
def list_customers(request: HttpRequest, query: Query[CustomerQuery]) -> CustomerPageOut:
    """The seller's customers by name, with their contacts, a page at a time."""
    page = selectors.customers_page(
        context_of(request).seller, search=query.search, limit=query.limit, cursor=query.cursor
    )
    return CustomerPageOut(items=[CustomerOut.from_customer(c) for c in page.items], next=page.next)


@router.post("/customers", response=writes({201: CustomerOut}), operation_id="create_customer")
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status:
    context = context_of(request)
    customer = accounts.create_customer(
        context.seller,
        name=payload.name,
        kind=payload.kind,
        email_domains=[*payload.email_domains, *([payload.email_domain] if payload.email_domain else [])],
        reference=payload.reference,
        notes=payload.notes,
        actor=context.actor,
    )
    return Status(201, CustomerOut.from_customer(_customer(request, customer.pk)))


@router.get(
    "/customers/{customer_id}", response=reads({200: CustomerOut}, 404, 422), operation_id="get_customer"
)
def get_customer(request: HttpRequest, customer_id: RowId) -> CustomerOut:
    return CustomerOut.from_customer(_customer(request, customer_id))


@router.patch(
    "/customers/{customer_id}", response=writes({200: CustomerOut}, 404), operation_id="update_customer"
)
def update_customer(request: HttpRequest, customer_id: RowId, payload: CustomerPatch) -> CustomerOut:
    """Change the fields sent; each change is logged with its value before and after."""
    customer = _customer(request, customer_id)
    accounts.update_customer(
        customer,
        name=payload.name,
        kind=payload.kind,
        email_domains=payload.email_domains,
        reference=payload.reference,
        notes=payload.notes,
        actor=context_of(request).actor,
    )
    return CustomerOut.from_customer(_customer(request, customer_id))


@router.get("/contacts/{contact_id}", response=reads({200: ContactOut}, 404, 422), operation_id="get_contact")
def get_contact(request: HttpRequest, contact_id: RowId) -> ContactOut:
    contact = selectors.contact_of(context_of(request).seller, contact_id)
    if contact is None:
        raise not_found(pgettext("no such", "contact"))
    return ContactOut.from_contact(contact)


# ----------------------------------------------------------------------------------------------
# Preferences


WEEKDAYS = [day.lower() for day in windows.WEEKDAYS]


# One day's hours as `notifications.windows.parse_spans` reads them, in the form it writes them: spans
# "HH:MM-HH:MM" separated by commas, each ending at another time than it starts ("00:00-24:00" is
# the whole day). Back-references need Python's `re`, hence `fullmatch` rather than a pydantic pattern.
_TIME = r"([01][0-9]|2[0-3]):([0-5][0-9])"
_SPAN = rf"{_TIME} *[-\u2013] *(?!\2:\3)(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)"
DAY_HOURS = rf"^( *{_SPAN} *(,|$))*$"


def _weekdays(week: dict[str, str] | None) -> dict[str, str] | None:
    if week is not None:
        unknown = sorted(set(week) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown weekday(s) {', '.join(unknown)}; use {', '.join(WEEKDAYS)}")
        if not any(re.search("[0-9]", spans) for spans in week.values()):
            raise ValueError("give at least one time when messages may be delivered")
    return week


_WEEK_SCHEMA = {
    "type": "object",
    "properties": {day: {"type": "string", "pattern": DAY_HOURS} for day in WEEKDAYS},
    "additionalProperties": False,
    # Some day has a span.
    "anyOf": [{"required": [day], "properties": {day: {"pattern": "[0-9]"}}} for day in WEEKDAYS],
}
DayHours = Annotated[str, fullmatch(DAY_HOURS, "must be spans such as '09:00-12:00, 14:00-20:00'")]
Hours = Annotated[
    dict[str, DayHours] | None,
    AfterValidator(_weekdays),
    WithJsonSchema({"anyOf": [_WEEK_SCHEMA, {"type": "null"}]}),
]


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
    enabled: StrictBool
    channels: list[Annotated[str, one_of(registry.pickable())]] = Field(
        default_factory=list, description="Empty: their preferred channels"
    )


class PreferencesIn(Schema):
    categories: dict[Annotated[str, one_of(Category.values)], CategoryPreferenceIn] = Field(
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


# ----------------------------------------------------------------------------------------------
# Contacts of a customer


HOURS_HELP = (
    "Weekday (monday..sunday) -> '09:00-12:00, 14:00-20:00'; days left out get no deliveries; null: the "
    "seller's hours"
)


class ContactIn(Schema):
    name: _CONTACT_NAME
    email: _EMAIL = Field("", description="One contact per address among all your customers")
    phone: _PHONE = Field("", description="International form, e.g. +14155550123")
    locale: _LOCALE = "en"
    time_zone: _TIME_ZONE = Field("UTC", description="An IANA time zone name, e.g. Europe/Paris")
    preferred_channels: _CHANNELS = Field(default_factory=lambda: ["email"])
    messenger_url: _MESSENGER_URL = Field(
        "", description="Apprise URL of their messenger chat, e.g. tgram://token/chat"
    )
    hours: Hours = Field(None, description=HOURS_HELP)

    # A contact is reached by email or by phone: one of them is needed.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["email"], "properties": {"email": {"minLength": 1}}},
                {"required": ["phone"], "properties": {"phone": {"minLength": 1}}},
            ]
        }
    )

    @model_validator(mode="after")
    def _reachable(self) -> ContactIn:
        if not self.email and not self.phone:
            raise ValueError("a contact needs an email address or a phone number")
        return self


class ContactPatch(PatchSchema):
    """Only the fields sent change (null: unchanged, except `hours`: null is the seller's hours). The
    contact must keep an email address or a phone number (`unreachable` otherwise)."""

    name: _CONTACT_NAME | None = None
    email: _EMAIL | None = None
    phone: _PHONE | None = None
    locale: _LOCALE | None = None
    time_zone: _TIME_ZONE | None = None
    preferred_channels: _CHANNELS | None = None
    messenger_url: _MESSENGER_URL | None = None
    hours: Hours = Field(None, description=HOURS_HELP + "; left out: unchanged")


@router.get(
    "/customers/{customer_id}/contacts",
    response=reads({200: list[ContactOut]}, 404, 422),
    operation_id="list_contacts",
)
def list_contacts(request: HttpRequest, customer_id: RowId) -> list[ContactOut]:
    """The customer's contacts, active ones first, deactivated ones kept with their history."""
    return [ContactOut.from_contact(contact) for contact in _customer(request, customer_id).contacts.all()]


@router.post(
    "/customers/{customer_id}/contacts",
    response=writes({201: ContactOut}, 404),
    operation_id="create_contact",
)
def create_contact(request: HttpRequest, customer_id: RowId, payload: ContactIn) -> Status:
    """Add a person at the customer; they need an email address or a phone number, and an email
    address no other contact of yours has."""
    customer = _customer(request, customer_id)
    contact = accounts.create_contact(
        customer,
        name=payload.name,
        email=payload.email,
        phone=payload.phone,
        locale=payload.locale,
        time_zone=payload.time_zone,
        preferred_channels=payload.preferred_channels,
        messenger_url=payload.messenger_url,
        hours=payload.hours,
        actor=context_of(request).actor,
    )
    return Status(201, ContactOut.from_contact(_contact(request, customer_id, contact.pk)))


@router.patch(
    "/customers/{customer_id}/contacts/{contact_id}",
    response=writes({200: ContactOut}, 404),
    operation_id="update_contact",
)
def update_contact(
    request: HttpRequest, customer_id: RowId, contact_id: RowId, payload: ContactPatch
) -> ContactOut:
    """Change the fields sent; each change is logged with its value before and after."""
    contact = _contact(request, customer_id, contact_id)
    accounts.update_contact(
        contact,
        name=payload.name,
        email=payload.email,
        phone=payload.phone,
        locale=payload.locale,
        time_zone=payload.time_zone,
        preferred_channels=payload.preferred_channels,
        messenger_url=payload.messenger_url,
        hours=payload.hours if "hours" in payload.model_fields_set else accounts.KEEP,
        actor=context_of(request).actor,
    )
    return ContactOut.from_contact(_contact(request, customer_id, contact_id))


@router.post(
    "/customers/{customer_id}/contacts/{contact_id}/deactivate",
    response=writes({200: ContactOut}, 404),
    operation_id="deactivate_contact",
)
def deactivate_contact(request: HttpRequest, customer_id: RowId, contact_id: RowId) -> ContactOut:
    """The contact left the customer: their links, portal login and open invitation stop working; their
    orders and messages stay. Deactivating a deactivated contact changes nothing."""
    contact = _contact(request, customer_id, contact_id)
    accounts.deactivate_contact(contact, actor=context_of(request).actor)
    return ContactOut.from_contact(_contact(request, customer_id, contact_id))


@router.post(
    "/customers/{customer_id}/contacts/{contact_id}/reactivate",
    response=writes({200: ContactOut}, 404),
    operation_id="reactivate_contact",
)
def reactivate_contact(request: HttpRequest, customer_id: RowId, contact_id: RowId) -> ContactOut:
    """Undo a deactivation: the portal login works again; links withdrawn stay withdrawn."""
    contact = _contact(request, customer_id, contact_id)
    accounts.reactivate_contact(contact, actor=context_of(request).actor)
    return ContactOut.from_contact(_contact(request, customer_id, contact_id))
