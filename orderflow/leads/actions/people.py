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

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict, Forbidden
from orderflow.leads.models import Kind, OptIn, Person
from orderflow.leads.rules import PERSON_FIELDS, region_for, validate_person
from orderflow.notifications.emit import notify
from orderflow.orders.actions.common import log_event
from orderflow.orders.models import EventType, Order, OrderEvent

# How many keys one read of the matching people asks for (SQLite allows 32,766 parameters).
_CHUNK = 1000

Failure = tuple[int, str, str]  # (row number, field, code)


@dataclass
class Result:
    """What one save did: how many people it created and updated, and the rows it refused with the
    field and code of each problem (row numbers count from `first_row`). `unchanged`: rows matching a
    person they would not change. `rows` are the saved people's column values, created ones first."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[Failure] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def ids(self) -> list[int]:
        """The ids of the people created then updated, in the order of their rows."""
        return [row["id"] for row in self.rows]

    def people(self) -> list[Person]:
        """The saved people as models (one query)."""
        found = Person.objects.in_bulk(self.ids)
        return [found[pk] for pk in self.ids]

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


@dataclass(frozen=True)
class Checked:
    """Rows judged by the leads' rules (`check_people`): the valid ones as (row number, clean values) and
    the problems of the others as (row number, field, code). `save_people` takes them in place of raw
    rows and does not judge them again: an importer checks the next rows while the last are written."""

    valid: list[tuple[int, dict[str, str]]]
    failed: list[Failure]


@dataclass
class KnownPeople:
    """For an importer saving one order's people of one kind in batches, in one transaction that began
    when the order had none of that kind (and holds the order's lock): the emails and phones its earlier
    batches saved, the only people a later batch can match. `save_people` then looks up those alone
    instead of every email and phone of the batch, and adds each batch's."""

    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)


def check_people(rows: Iterable[Mapping[str, Any]], *, region: str, first_row: int = 1) -> Checked:
    """Each row through `leads.rules.validate_person` (numbers read in `region`); no database."""
    valid: list[tuple[int, dict[str, str]]] = []
    failed: list[Failure] = []
    for number, row in enumerate(rows, start=first_row):
        clean, problems = validate_person(row, region=region)
        if problems:
            failed.extend((number, fld, code) for fld, code in problems)
        else:
            valid.append((number, clean))
    return Checked(valid, failed)


def save_people(
    actor: Actor,
    order: Order,
    kind: str,
    rows: Iterable[Mapping[str, Any]] | Checked,
    *,
    source: str,
    confirm_opt_in: bool = False,
    first_row: int = 1,
    announce: bool = True,
    known: KnownPeople | None = None,
    ids: bool = True,
) -> Result:
    """Validate and upsert many participants or leads of one order.

    Each row maps fields of `PERSON_FIELDS` to values (or `rows` were judged by `check_people` with
    the order's seller's region, and are taken as judged). A row whose normalised email or phone is already
    a person of this order and kind (or an earlier row of this call) updates that person: its non-empty
    values replace theirs, empty ones leave theirs. A row matching two different people by email and by
    phone is refused (`conflict`). Refused rows change nothing; the valid ones are saved. `source` is
    what people see as where they came from (e.g. "import", "api", "web"; a row's own source wins).

    Without `ids` (an importer's later batches), the new people are numbered by the database and
    `Result.rows` holds them without their ids; `known`: see `KnownPeople`.

    `confirm_opt_in` (leads only): new people get an opt-in email, their status pending. New people
    with a phone but no email get a qualification call. Without `announce` (a chunk of an import),
    no activity event nor digest: the caller ends with `announce_saved` and the totals.
    """
    check_may_change(actor, order, kind)
    if confirm_opt_in and kind != Kind.LEAD:
        raise ActionError(
            "invalid", _("Only leads are asked to confirm."), details={"field": "confirm_opt_in"}
        )
    if not isinstance(rows, Checked):
        rows = check_people(rows, region=region_for(order.seller.currency), first_row=first_row)
    result = Result(failed=list(rows.failed))
    valid = rows.valid
    if not valid:
        return result
    try:
        with transaction.atomic():
            locked = Order.objects.select_for_update(of=("self",)).select_related("seller").get(pk=order.pk)
            _upsert(
                actor,
                locked,
                kind,
                valid,
                source=source[:100],
                confirm=confirm_opt_in,
                result=result,
                known=known,
                ids=ids,
            )
            if result.created or result.updated:
                _tell(actor, locked, kind, result, source=source, announce=announce)
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
    known: KnownPeople | None = None,
    ids: bool = True,
) -> None:
    """Match, merge and write the valid rows. People are plain dicts of column values here (no model
    instances: building ten thousand of them costs more than writing them)."""
    emails = {c["email_normalised"] for _n, c in valid if c.get("email_normalised")}
    phones = {c["phone_normalised"] for _n, c in valid if c.get("phone_normalised")}
    if known is not None:  # only these can be people already; then they are
        lookup_emails, lookup_phones = emails & known.emails, phones & known.phones
        known.emails |= emails
        known.phones |= phones
        emails, phones = lookup_emails, lookup_phones
    by_email: dict[str, dict[str, Any]] = {}
    by_phone: dict[str, dict[str, Any]] = {}
    before: dict[int, tuple[Any, ...]] = {}
    for existing in _matching(order, kind, emails, phones):
        before[existing["id"]] = tuple(existing[name] for name in _COMPARED)
        if existing["email_normalised"]:
            by_email[existing["email_normalised"]] = existing
        if existing["phone_normalised"]:
            by_phone[existing["phone_normalised"]] = existing
    now = timezone.now()
    blank = {
        "seller_id": order.seller_id,
        "order_id": order.pk,
        "kind": kind,
        **dict.fromkeys(PERSON_FIELDS, ""),
        "email_normalised": "",
        "phone_normalised": "",
        "source": source,
        "opt_in": OptIn.PENDING if confirm else OptIn.UNKNOWN,
        "opt_in_at": None,
        "opt_in_ip": None,
        "do_not_contact": False,
        "needs_qualification": False,
        "added_by_membership_id": actor.membership.pk if actor.kind == "staff" and actor.membership else None,
        "added_by_contact_id": actor.contact.pk if actor.kind == "customer" and actor.contact else None,
        "added_by_name": actor.name[:200],
        "converted_from_id": None,
        "created_at": now,
        "updated_at": now,
    }
    new: list[dict[str, Any]] = []
    matched: dict[int, dict[str, Any]] = {}
    for number, clean in valid:
        email, phone = clean.get("email_normalised", ""), clean.get("phone_normalised", "")
        match_email = by_email.get(email) if email else None
        match_phone = by_phone.get(phone) if phone else None
        if match_email is not None and match_phone is not None and match_email is not match_phone:
            result.failed.append((number, "phone", "conflict"))
            continue
        person = match_email or match_phone
        if person is None:
            person = {**blank, **clean}
            person["source"] = person["source"] or source
            new.append(person)
        else:
            for name, value in clean.items():
                if value:
                    person[name] = value
            if "id" in person:
                matched[person["id"]] = person
        if person["email_normalised"]:
            by_email[person["email_normalised"]] = person
        if person["phone_normalised"]:
            by_phone[person["phone_normalised"]] = person
    changed = []
    for person in (*new, *matched.values()):
        person["needs_qualification"] = bool(
            person["phone_normalised"] and not person["email_normalised"] and not person["do_not_contact"]
        )
    for pk, person in matched.items():
        if tuple(person[name] for name in _COMPARED) != before[pk]:
            person["updated_at"] = now
            changed.append(person)
    _insert(new, ids=ids)
    _update(changed)
    result.created, result.updated = len(new), len(changed)
    result.unchanged = len(matched) - len(changed)
    result.rows = [*new, *changed]


# What a save compares to tell an update from a row that changes nothing.
_COMPARED = (*PERSON_FIELDS, "email_normalised", "phone_normalised", "needs_qualification")
_COLUMNS: tuple[str, ...] = tuple(str(f.column) for f in Person._meta.concrete_fields)
_CAST = {"id": "bigint", "needs_qualification": "boolean", "updated_at": "timestamp with time zone"}


def _matching(order: Order, kind: str, emails: set[str], phones: set[str]) -> list[dict[str, Any]]:
    """The people of the order and kind with one of these emails or phones, as dicts of their columns.
    PostgreSQL: one query per 5,000 keys of each, with arrays (a list of thousands of placeholders
    costs more to write than to run); SQLite: one per 1,000 keys."""
    found: dict[int, dict[str, Any]] = {}
    names = ("id", *_COMPARED, "do_not_contact")
    email_keys, phone_keys = sorted(emails), sorted(phones)
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(name) for name in names)
        table = quote(Person._meta.db_table)
        step = 5 * _CHUNK
        with connection.cursor() as cursor:
            for start in range(0, max(len(email_keys), len(phone_keys)), step):
                # "<> ''" lets the planner use the partial unique indexes.
                cursor.execute(
                    f"SELECT {columns} FROM {table} WHERE order_id = %s AND kind = %s AND ("
                    "(email_normalised <> '' AND email_normalised = ANY(%s)) OR "
                    "(phone_normalised <> '' AND phone_normalised = ANY(%s)))",
                    [order.pk, kind, email_keys[start : start + step], phone_keys[start : start + step]],
                )
                for row in cursor.fetchall():
                    found.setdefault(row[0], dict(zip(names, row, strict=True)))
        return list(found.values())
    people = Person.objects.filter(order=order, kind=kind)
    for keys, column in ((email_keys, "email_normalised"), (phone_keys, "phone_normalised")):
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            matching = people.exclude(**{column: ""}).filter(**{f"{column}__in": chunk})
            for values in matching.values(*names):
                found.setdefault(values["id"], values)
    return list(found.values())


def _reserve_ids(count: int) -> list[int]:
    """Ids for new people, taken before inserting them so that every row is written in one pass:
    PostgreSQL's sequence; SQLite's next ids under the write lock the transaction holds."""
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name looked up once, not once per id (which cost more than the ids).
            cursor.execute(
                "SELECT nextval(s) FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS s) AS q, "
                "generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # AUTOINCREMENT never gives an id again, even a deleted row's: neither do we.
        cursor.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))",
            [table],
        )
        last = cursor.fetchone()[0]
        return list(range(last + 1, last + 1 + count))


def _insert(people: list[dict[str, Any]], *, ids: bool = True) -> None:
    """New people in one pass: COPY on PostgreSQL (numbered by the table's own sequence without `ids`),
    multi-row INSERTs on SQLite."""
    if not people:
        return
    quote = connection.ops.quote_name
    table = quote(Person._meta.db_table)
    if ids or connection.vendor != "postgresql":
        for person, pk in zip(people, _reserve_ids(len(people)), strict=True):
            person["id"] = pk
        names = _COLUMNS
    else:
        names = tuple(column for column in _COLUMNS if column != "id")
    columns = ", ".join(quote(column) for column in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for person in people:
                    copy.write_row([person[column] for column in names])
            return
        adapt = connection.ops.adapt_datetimefield_value
        per_statement = max(1, 30000 // len(_COLUMNS))
        row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
        for start in range(0, len(people), per_statement):
            chunk = people[start : start + per_statement]
            params = [
                adapt(person[column]) if column in ("created_at", "updated_at") else person[column]
                for person in chunk
                for column in _COLUMNS
            ]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))}", params)


def _update(people: list[dict[str, Any]]) -> None:
    """Changed people in one statement per 1,000: UPDATE ... FROM a VALUES list (PostgreSQL, SQLite
    3.33+), instead of bulk_update's CASE per column."""
    if not people:
        return
    quote = connection.ops.quote_name
    table = quote(Person._meta.db_table)
    columns = ("id", *_COMPARED, "updated_at")
    postgres = connection.vendor == "postgresql"
    adapt = connection.ops.adapt_datetimefield_value
    if postgres:
        cell = ", ".join(f"%s::{_CAST.get(column, 'text')}" for column in columns)
    else:
        cell = ", ".join(["%s"] * len(columns))
    names = ", ".join(quote(column) for column in columns)
    sets = ", ".join(f"{quote(column)} = v.{quote(column)}" for column in columns[1:])
    with connection.cursor() as cursor:
        for start in range(0, len(people), _CHUNK):
            chunk = people[start : start + _CHUNK]
            params = [
                adapt(person[column]) if column == "updated_at" and not postgres else person[column]
                for person in chunk
                for column in columns
            ]
            values = ", ".join([f"({cell})"] * len(chunk))
            cursor.execute(
                f"WITH v({names}) AS (VALUES {values}) "
                f"UPDATE {table} SET {sets} FROM v WHERE {table}.{quote('id')} = v.{quote('id')}",
                params,
            )


def _tell(actor: Actor, order: Order, kind: str, result: Result, *, source: str, announce: bool) -> None:
    """Everything a save sets going: the call tasks of people to qualify and the opt-in emails; and,
    when it `announce`s, the one activity event, the digest to the order's recipients, the webhooks."""
    from orderflow.leads.actions.outreach import after_save

    event = None
    if announce:
        event = _announce(
            actor,
            order,
            kind,
            source=source,
            created=result.created,
            updated=result.updated,
            failed=result.failed_rows,
            rows=result.rows,
        )
    after_save(order, event, kind, result.rows[: result.created], actor=actor)
    if event is not None:
        notify(event, order=order)


def _announce(
    actor: Actor,
    order: Order,
    kind: str,
    *,
    source: str,
    created: int,
    updated: int,
    failed: int,
    rows: list[dict[str, Any]],
) -> OrderEvent:
    return log_event(
        order,
        EventType.PEOPLE_ADDED,
        actor,
        data={
            "kind": kind,
            "source": source,
            "created": created,
            "updated": updated,
            "failed": failed,
            "names": [_name(row) for row in rows[:5]],
            # The first hundred new people, for webhooks and the log's links.
            "ids": [row["id"] for row in rows[: min(created, 100)]],
        },
    )


def announce_saved(
    actor: Actor,
    order: Order,
    kind: str,
    *,
    source: str,
    created: int,
    updated: int,
    failed: int,
    first: Result | None = None,
) -> OrderEvent | None:
    """The one activity event and digest of a save made in several calls of `save_people(...,
    announce=False)` (an import read in chunks): with the totals, and the people of the `first` chunk
    named. Nothing when nobody was created or updated."""
    if not (created or updated):
        return None
    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",)).select_related("seller").get(pk=order.pk)
        event = _announce(
            actor,
            locked,
            kind,
            source=source[:100],
            created=created,
            updated=updated,
            failed=failed,
            rows=first.rows if first is not None else [],
        )
        notify(event, order=locked)
    return event


def _name(row: Mapping[str, Any]) -> str:
    return f"{row['first_name']} {row['last_name']}".strip() or row["email"] or row["phone"]


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
    return Person.objects.get(pk=result.ids[0])
