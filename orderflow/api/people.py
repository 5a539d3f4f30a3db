"""/orders/{number}/participants and /orders/{number}/leads: the people of an order.

GET lists them a page at a time (keyset on id, oldest first); POST adds one, or updates the person of
the same order and kind with the same email or phone (201 created, 200 updated); leads are also changed
(PATCH) and removed (DELETE). Another seller's order or person is a 404. Changes go through the leads
actions, which log them on the order and tell the order's recipients."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import pgettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, model_validator

from orderflow.api import pagination
from orderflow.api.auth import ApiContext, context_of
from orderflow.api.errors import not_found, reads, writes
from orderflow.api.inputs import CURSOR, OrderNumber, RowId, text
from orderflow.core.errors import ActionError
from orderflow.leads.actions import remove_person, save_people, update_person
from orderflow.leads.models import Kind, Person
from orderflow.leads.rules import TEXT_LIMITS, problem_message
from orderflow.leads.selectors import people_of, person_of
from orderflow.orders.models import Order

router = Router(tags=["participants and leads"])


FirstName = Annotated[str, text(TEXT_LIMITS["first_name"])]
LastName = Annotated[str, text(TEXT_LIMITS["last_name"])]
Email = Annotated[str, text(TEXT_LIMITS["email"])]
Phone = Annotated[str, text(TEXT_LIMITS["phone"])]
Company = Annotated[str, text(TEXT_LIMITS["company"])]
JobTitle = Annotated[str, text(TEXT_LIMITS["job_title"])]
Source = Annotated[str, text(TEXT_LIMITS["source"])]
Notes = Annotated[str, text(TEXT_LIMITS["notes"])]


class PersonOut(Schema):
    id: int
    kind: str
    first_name: str
    last_name: str
    email: str
    phone: str = Field(description="As given")
    phone_e164: str = Field(description="The number in E.164, as deduplication compares it")
    company: str
    job_title: str
    source: str
    notes: str
    opt_in: str = Field(description="unknown, pending, confirmed or refused")
    opt_in_at: dt.datetime | None
    do_not_contact: bool
    needs_qualification: bool = Field(description="A phone but no email: a call task asks for the details")
    added_by: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        return cls(
            id=person.pk,
            kind=person.kind,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            phone=person.phone,
            phone_e164=person.phone_normalised,
            company=person.company,
            job_title=person.job_title,
            source=person.source,
            notes=person.notes,
            opt_in=person.opt_in,
            opt_in_at=person.opt_in_at,
            do_not_contact=person.do_not_contact,
            needs_qualification=person.needs_qualification,
            added_by=person.added_by_name,
            created_at=person.created_at,
            updated_at=person.updated_at,
        )


class PersonPageOut(Schema):
    items: list[PersonOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class PersonQuery(Schema):
    limit: int = Field(50, ge=1, le=100)
    cursor: Annotated[str, text(pattern=CURSOR)] | None = Field(
        None, description="The `next` of the previous page"
    )


class PersonIn(Schema):
    """An email or a phone is required (400 email_or_phone_required); an invalid one is named
    (400 invalid_email, invalid_phone). A phone without its country code is read in the seller's."""

    first_name: FirstName = ""
    last_name: LastName = ""
    email: Email = ""
    phone: Phone = ""
    company: Company = ""
    job_title: JobTitle = ""
    source: Source = Field("", description="Where the person came from; default: api")
    notes: Notes = ""


class LeadIn(PersonIn):
    confirm_opt_in: bool = Field(False, description="Email the lead a link to agree to be contacted")


def _no_defaults(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class LeadPatch(Schema):
    """Only the fields sent are changed; an empty string clears one (the lead keeps an email or a phone)."""

    first_name: FirstName = None  # type: ignore[assignment]
    last_name: LastName = None  # type: ignore[assignment]
    email: Email = None  # type: ignore[assignment]
    phone: Phone = None  # type: ignore[assignment]
    company: Company = None  # type: ignore[assignment]
    job_title: JobTitle = None  # type: ignore[assignment]
    source: Source = None  # type: ignore[assignment]
    notes: Notes = None  # type: ignore[assignment]
    do_not_contact: bool = None  # type: ignore[assignment]

    model_config = ConfigDict(json_schema_extra=_no_defaults)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("must be a JSON object")
        return data


def _order(context: ApiContext, number: int) -> Order:
    order = Order.objects.filter(seller=context.seller, number=number).select_related("seller").first()
    if order is None:
        raise not_found(pgettext("no such", "order"))
    return order


def _page(order: Order, kind: str, query: PersonQuery) -> PersonPageOut:
    people = people_of(order, kind).order_by("pk")
    sort = f"{kind}_id"
    if query.cursor:
        payload = pagination.decode(query.cursor, sort=sort)
        people = people.filter(pk__gt=pagination.cursor_value(payload, "id", int))
    rows = list(people[: query.limit + 1])
    following = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        following = pagination.encode({"sort": sort, "id": rows[-1].pk})
    return PersonPageOut(items=[PersonOut.of(person) for person in rows], next=following)


def _add(request: HttpRequest, number: int, kind: str, payload: PersonIn, confirm: bool) -> Status:
    context = context_of(request)
    order = _order(context, number)
    values = payload.model_dump(exclude={"confirm_opt_in", "source"})
    values["source"] = payload.source or "api"
    result = save_people(context.actor, order, kind, [values], source="api", confirm_opt_in=confirm)
    if result.failed:
        _row, field, code = result.failed[0]
        raise ActionError(code, problem_message(field, code), details={"field": field})
    person = Person.objects.get(pk=result.ids[0])
    return Status(201 if result.created else 200, PersonOut.of(person))


@router.get(
    "/{number}/participants",
    response=reads({200: PersonPageOut}, 400, 404, 422),
    operation_id="list_participants",
)
def list_participants(request: HttpRequest, number: OrderNumber, query: Query[PersonQuery]) -> PersonPageOut:
    """The order's participants, oldest first, a page at a time."""
    return _page(_order(context_of(request), number), Kind.PARTICIPANT, query)


@router.post(
    "/{number}/participants",
    response=writes({200: PersonOut, 201: PersonOut}, 404),
    operation_id="add_participant",
)
def add_participant(request: HttpRequest, number: OrderNumber, payload: PersonIn) -> Status:
    """Add a participant, or update the one with the same email or phone (200)."""
    return _add(request, number, Kind.PARTICIPANT, payload, False)


@router.get("/{number}/leads", response=reads({200: PersonPageOut}, 400, 404, 422), operation_id="list_leads")
def list_leads(request: HttpRequest, number: OrderNumber, query: Query[PersonQuery]) -> PersonPageOut:
    """The order's leads, oldest first, a page at a time."""
    return _page(_order(context_of(request), number), Kind.LEAD, query)


@router.post(
    "/{number}/leads", response=writes({200: PersonOut, 201: PersonOut}, 404), operation_id="add_lead"
)
def add_lead(request: HttpRequest, number: OrderNumber, payload: LeadIn) -> Status:
    """Add a lead, or update the one with the same email or phone (200). With `confirm_opt_in`, a new
    lead is emailed a link to agree to be contacted."""
    return _add(request, number, Kind.LEAD, payload, payload.confirm_opt_in)


def _lead(context: ApiContext, number: int, lead_id: int) -> Person:
    lead = person_of(_order(context, number), Kind.LEAD, lead_id)
    if lead is None:
        raise not_found(pgettext("no such", "lead"))
    return lead


@router.get("/{number}/leads/{lead_id}", response=reads({200: PersonOut}, 404, 422), operation_id="get_lead")
def get_lead(request: HttpRequest, number: OrderNumber, lead_id: RowId) -> PersonOut:
    return PersonOut.of(_lead(context_of(request), number, lead_id))


@router.patch("/{number}/leads/{lead_id}", response=writes({200: PersonOut}, 404), operation_id="update_lead")
def patch_lead(request: HttpRequest, number: OrderNumber, lead_id: RowId, payload: LeadPatch) -> PersonOut:
    """Change the fields sent; logged on the order."""
    context = context_of(request)
    lead = _lead(context, number, lead_id)
    changed = update_person(context.actor, lead, payload.model_dump(exclude_unset=True))
    return PersonOut.of(changed)


@router.delete("/{number}/leads/{lead_id}", response=writes({204: None}, 404), operation_id="delete_lead")
def delete_lead(request: HttpRequest, number: OrderNumber, lead_id: RowId) -> Status:
    """Remove the lead; the order's log keeps who it was."""
    context = context_of(request)
    remove_person(context.actor, _lead(context, number, lead_id))
    return Status(204, None)
