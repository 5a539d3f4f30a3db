"""Saving participants and leads: the one bulk upsert every surface and the importer call.

`save_people` validates every row with the pure rules (`leads.rules.validate_person`), matches each to
the person of the same order and kind with the same normalised email or phone (updating them) or makes
a new one, in a few queries whatever the number of rows: one read of the matching people per 1,000
keys, one bulk insert, one bulk update. The order is locked for the write, so two saves of one order
never race on the same person. It appends ONE activity event and tells people ONCE (a digest) per call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict, Forbidden
from orderflow.leads.models import Kind, OptIn, Person
from orderflow.leads.rules import PERSON_FIELDS, region_for, validate_person
from orderflow.notifications.emit import notify
from orderflow.orders.actions.common import log_event
from orderflow.orders.models import EventType, Order

# How many keys one read of the matching people asks for (SQLite allows 32,766 parameters).
_CHUNK = 1000
# Fields a save may write on an existing person, besides the ones people set.
_UPDATED = (*PERSON_FIELDS, "email_normalised", "phone_normalised", "needs_qualification", "updated_at")

Failure = tuple[int, str, str]  # (row number, field, code)


@dataclass
class Result:
    """What one save did: how many people it created and updated, and the rows it refused with the
    field and code of each problem (row numbers count from `first_row`). `people` are the saved ones,
    created first, in the order of their rows."""

    created: int = 0
    updated: int = 0
    failed: list[Failure] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)

    @property
    def failed_rows(self) -> int:
        return len({row for row, _field, _code in self.failed})


def may_see_people(actor: Actor, order: Order, kind: str) -> bool:
    """Staff of the order's seller see both lists; the customer's contacts see the participants of
    their own orders; leads are the provider's only."""
    if actor.kind == "system":
        return True
    if actor.kind == "staff":
        member = actor.membership
        return member is not None and member.is_active and member.seller_id == order.seller_id
    if actor.kind == "customer":
        contact = actor.contact
        return (
            kind == Kind.PARTICIPANT
            and contact is not None
            and contact.is_active
            and contact.customer_id == order.customer_id
        )
    return False


def check_may_change(actor: Actor, order: Order, kind: str) -> None:
    if kind not in Kind.values:
        raise ActionError("invalid_kind", _("Choose participants or leads."), details={"field": "kind"})
    if not may_see_people(actor, order, kind):
        if kind == Kind.LEAD:
            raise Forbidden("forbidden", _("Only the seller's staff can add or change leads."))
        raise Forbidden("forbidden", _("You may not add participants to this order."))


def _added_by(actor: Actor) -> dict[str, Any]:
    return {
        "added_by_membership": actor.membership if actor.kind == "staff" else None,
        "added_by_contact": actor.contact if actor.kind == "customer" else None,
        "added_by_name": actor.name[:200],
    }


def _needs_qualification(person: Person) -> bool:
    return bool(person.phone_normalised and not person.email_normalised and not person.do_not_contact)


def save_people(
    actor: Actor,
    order: Order,
    kind: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    source: str,
    confirm_opt_in: bool = False,
    first_row: int = 1,
) -> Result:
    """Validate and upsert many participants or leads of one order.

    Each row maps fields of `PERSON_FIELDS` to values. A row whose normalised email or phone is already
    a person of this order and kind (or an earlier row of this call) updates that person: its non-empty
    values replace theirs, empty ones leave theirs. A row matching two different people by email and by
    phone is refused (`conflict`). Refused rows change nothing; the valid ones are saved. `source` is
    what people see as where they came from (e.g. "import", "api", "web"; a row's own source wins).

    `confirm_opt_in` (leads only): new people get an opt-in email, their status pending.
    """
    check_may_change(actor, order, kind)
    if confirm_opt_in and kind != Kind.LEAD:
        raise ActionError(
            "invalid", _("Only leads are asked to confirm."), details={"field": "confirm_opt_in"}
        )
    region = region_for(order.seller.currency)
    result = Result()
    valid: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(rows, start=first_row):
        clean, problems = validate_person(row, region=region)
        if problems:
            result.failed.extend((number, fld, code) for fld, code in problems)
        else:
            valid.append((number, clean))
    if not valid:
        return result
    try:
        with transaction.atomic():
            locked = Order.objects.select_for_update(of=("self",)).select_related("seller").get(pk=order.pk)
            _upsert(actor, locked, kind, valid, source=source[:100], confirm=confirm_opt_in, result=result)
            if result.created or result.updated:
                _tell(actor, locked, kind, result, source=source)
    except IntegrityError:
        raise Conflict(
            "conflict",
            _("Someone saved the same people at the same time. Try again."),
        ) from None
    result.failed.sort()
    return result


def _upsert(
    actor: Actor,
    order: Order,
    kind: str,
    valid: list[tuple[int, dict[str, str]]],
    *,
    source: str,
    confirm: bool,
    result: Result,
) -> None:
    emails = {c["email_normalised"] for _n, c in valid if c.get("email_normalised")}
    phones = {c["phone_normalised"] for _n, c in valid if c.get("phone_normalised")}
    by_email: dict[str, Person] = {}
    by_phone: dict[str, Person] = {}
    for existing in _matching(order, kind, emails, phones):
        if existing.email_normalised:
            by_email[existing.email_normalised] = existing
        if existing.phone_normalised:
            by_phone[existing.phone_normalised] = existing
    now = timezone.now()
    new: list[Person] = []
    new_ids: set[int] = set()  # id() of unsaved people
    changed: dict[int, Person] = {}
    for number, clean in valid:
        email, phone = clean.get("email_normalised", ""), clean.get("phone_normalised", "")
        match_email = by_email.get(email) if email else None
        match_phone = by_phone.get(phone) if phone else None
        if match_email is not None and match_phone is not None and match_email is not match_phone:
            result.failed.append((number, "phone", "conflict"))
            continue
        person = match_email or match_phone
        if person is None:
            person = Person(
                seller_id=order.seller_id,
                order=order,
                kind=kind,
                source=source,
                opt_in=OptIn.PENDING if confirm else OptIn.UNKNOWN,
                created_at=now,
                updated_at=now,
                **_added_by(actor),
            )
            _apply(person, clean, only_given=False)
            new.append(person)
            new_ids.add(id(person))
        else:
            # A new email or phone must not be another person's.
            other = (by_email.get(email) if email and email != person.email_normalised else None) or (
                by_phone.get(phone) if phone and phone != person.phone_normalised else None
            )
            if other is not None and other is not person:
                result.failed.append((number, "email" if email else "phone", "conflict"))
                continue
            _apply(person, clean, only_given=True)
            person.updated_at = now
            if id(person) not in new_ids:
                changed[person.pk] = person
        if person.email_normalised:
            by_email[person.email_normalised] = person
        if person.phone_normalised:
            by_phone[person.phone_normalised] = person
    for person in (*new, *changed.values()):
        person.needs_qualification = _needs_qualification(person)
    Person.objects.bulk_create(new, batch_size=1000)
    if changed:
        Person.objects.bulk_update(list(changed.values()), _UPDATED, batch_size=500)
    result.created, result.updated = len(new), len(changed)
    result.people = [*new, *changed.values()]


def _matching(order: Order, kind: str, emails: set[str], phones: set[str]) -> list[Person]:
    """The people of the order and kind with one of these emails or phones: one query per 1,000 keys."""
    found: dict[int, Person] = {}
    people = Person.objects.filter(order=order, kind=kind)
    for keys, column in ((sorted(emails), "email_normalised"), (sorted(phones), "phone_normalised")):
        for start in range(0, len(keys), _CHUNK):
            for person in people.filter(**{f"{column}__in": keys[start : start + _CHUNK]}):
                found.setdefault(person.pk, person)
    return list(found.values())


def _apply(person: Person, clean: Mapping[str, str], *, only_given: bool) -> None:
    for name, value in clean.items():
        if only_given and not value:
            continue
        setattr(person, name, value)


def _tell(actor: Actor, order: Order, kind: str, result: Result, *, source: str) -> None:
    """The one activity event of a save, and everything it sets going: the digest to the order's
    recipients, the webhooks, the call tasks of people to qualify, the opt-in emails."""
    from orderflow.leads.actions.outreach import after_save

    event = log_event(
        order,
        EventType.PEOPLE_ADDED,
        actor,
        data={
            "kind": kind,
            "source": source,
            "created": result.created,
            "updated": result.updated,
            "failed": result.failed_rows,
            "names": [p.display_name for p in result.people[:5]],
        },
    )
    after_save(order, event, kind, result.people[: result.created], actor=actor)
    notify(event, order=order)


def add_person(
    actor: Actor,
    order: Order,
    kind: str,
    values: Mapping[str, Any],
    *,
    source: str = "",
    confirm_opt_in: bool = False,
) -> Person:
    """One participant or lead (or the same one updated): `save_people` with one row; its problem is
    raised as an ActionError naming the field."""
    from orderflow.leads.rules import problem_message

    result = save_people(actor, order, kind, [values], source=source, confirm_opt_in=confirm_opt_in)
    if result.failed:
        _row, fld, code = result.failed[0]
        raise ActionError(code, problem_message(fld, code), details={"field": fld})
    return result.people[0]
