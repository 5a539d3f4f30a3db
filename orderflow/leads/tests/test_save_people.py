"""save_people: validation, deduplication, upsert, permissions, one event per call."""

from __future__ import annotations

import random
import re

import phonenumbers
import pytest

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.leads import rules
from orderflow.leads.actions import add_person, save_people
from orderflow.leads.models import Kind, OptIn, Person
from orderflow.leads.rules import normalise_phone, validate_person
from orderflow.orders.models import EventType, OrderEvent


def test_validate_person_names_each_problem():
    assert validate_person({"first_name": "Ann"})[1] == [("email", "email_or_phone_required")]
    assert validate_person({"email": "not an email"})[1] == [("email", "invalid_email")]
    assert validate_person({"phone": "12"})[1] == [("phone", "invalid_phone")]
    assert validate_person({"email": "a@b.example", "shoe": "44"})[1] == [("shoe", "unknown_field")]
    assert validate_person({"email": "a@b.example", "first_name": "x" * 101})[1] == [
        ("first_name", "too_long")
    ]
    clean, problems = validate_person({"email": " Ann@Example.COM ", "phone": "(514) 555-0199"}, region="CA")
    assert problems == []
    assert clean["email_normalised"] == "ann@example.com"
    assert clean["phone_normalised"] == "+15145550199"
    assert normalise_phone("06 12 34 56 78", "FR") == "+33612345678"


def test_save_people_creates_updates_and_refuses(order, olivia):
    actor = Actor.staff(olivia)
    result = save_people(
        actor,
        order,
        Kind.LEAD,
        [
            {"first_name": "Ann", "email": "ann@example.com"},
            {"first_name": "Bob", "phone": "+1 415 555 0123"},
            {"first_name": "Nobody"},
            {"last_name": "Lee", "email": "ANN@example.com"},  # same as row 1: merged
            {"email": "bad@"},
        ],
        source="test",
    )
    assert (result.created, result.updated) == (2, 0)
    assert result.failed == [(3, "email", "email_or_phone_required"), (5, "email", "invalid_email")]
    ann = Person.objects.get(order=order, email_normalised="ann@example.com")
    assert (ann.first_name, ann.last_name, ann.source, ann.kind) == ("Ann", "Lee", "test", Kind.LEAD)
    bob = Person.objects.get(order=order, phone_normalised="+14155550123")
    assert bob.needs_qualification
    assert not ann.needs_qualification
    assert ann.added_by_membership == olivia

    again = save_people(
        actor,
        order,
        Kind.LEAD,
        [{"email": "ann@example.com", "company": "Acme"}, {"phone": "4155550123", "email": "bob@x.example"}],
        source="test",
    )
    assert (again.created, again.updated, again.failed) == (0, 2, [])
    ann.refresh_from_db()
    bob.refresh_from_db()
    assert (ann.first_name, ann.company) == ("Ann", "Acme")
    assert bob.email_normalised == "bob@x.example"
    assert not bob.needs_qualification
    events = OrderEvent.objects.filter(order=order, type=EventType.PEOPLE_ADDED)
    assert events.count() == 2
    assert events.last().data["updated"] == 2


def test_conflicting_row_is_refused(order, olivia):
    actor = Actor.staff(olivia)
    save_people(actor, order, Kind.LEAD, [{"email": "a@x.example"}, {"phone": "+14155550123"}], source="t")
    result = save_people(
        actor, order, Kind.LEAD, [{"email": "a@x.example", "phone": "+14155550123"}], source="t"
    )
    assert result.failed == [(1, "phone", "conflict")]
    assert Person.objects.filter(order=order).count() == 2


def test_participants_and_leads_are_separate(order, olivia):
    actor = Actor.staff(olivia)
    save_people(actor, order, Kind.LEAD, [{"email": "a@x.example"}], source="t")
    save_people(actor, order, Kind.PARTICIPANT, [{"email": "a@x.example"}], source="t")
    assert Person.objects.filter(order=order).count() == 2


def test_who_may_add(order, olivia, alice, rita, rival_order):
    add_person(Actor.customer(alice), order, Kind.PARTICIPANT, {"email": "p@x.example"})
    with pytest.raises(Forbidden):
        add_person(Actor.customer(alice), order, Kind.LEAD, {"email": "l@x.example"})
    with pytest.raises(Forbidden):
        add_person(Actor.staff(rita), order, Kind.LEAD, {"email": "l@x.example"})
    with pytest.raises(Forbidden):
        add_person(Actor.customer(alice), rival_order, Kind.PARTICIPANT, {"email": "p@x.example"})
    with pytest.raises(ActionError) as refused:
        add_person(Actor.staff(olivia), order, Kind.LEAD, {"first_name": "No contact"})
    assert refused.value.code == "email_or_phone_required"
    assert refused.value.details == {"field": "email"}


def test_confirm_opt_in_sets_pending(order, olivia):
    person = add_person(Actor.staff(olivia), order, Kind.LEAD, {"email": "o@x.example"}, confirm_opt_in=True)
    assert person.opt_in == OptIn.PENDING


def test_chunks_of_an_import_announce_once(order, olivia):
    from orderflow.leads.actions import announce_saved
    from orderflow.leads.actions.people import Result

    actor = Actor.staff(olivia)
    totals = Result()
    first = None
    for start in (0, 3):
        rows = [{"email": f"p{i}@x.example"} for i in range(start, start + 3)]
        chunk = save_people(
            actor, order, Kind.LEAD, rows, source="import", first_row=start + 2, announce=False
        )
        first = first or chunk
        totals.created += chunk.created
    assert not OrderEvent.objects.filter(order=order, type=EventType.PEOPLE_ADDED).exists()
    announce_saved(
        actor, order, Kind.LEAD, source="import", created=totals.created, updated=0, failed=0, first=first
    )
    [event] = OrderEvent.objects.filter(order=order, type=EventType.PEOPLE_ADDED)
    assert event.data["created"] == 6
    assert event.data["names"][0] == "p0@x.example"


def test_row_numbers_count_from_first_row(order, olivia):
    result = save_people(Actor.staff(olivia), order, Kind.LEAD, [{}, {"email": "x"}], source="t", first_row=2)
    assert result.failed == [(2, "email", "email_or_phone_required"), (3, "email", "invalid_email")]


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+1 212 555 0199", "US", "+12125550199"),
        ("(514) 555-0199", "CA", "+15145550199"),
        ("1-514-555-0199", "CA", "+15145550199"),
        ("514.555.0199", "FR", None),  # no country code: read as French, not a French number
        ("+1 012 555 0199", "US", None),  # no area code starts with 0
        ("212 555 0199 ext. 12", "US", "+12125550199"),
        ("+44 20 7946 0321", "US", "+442079460321"),
    ],
)
def test_phone_numbers_as_dialled(text, region, expected):
    assert normalise_phone(text, region) == expected


def test_ids_are_never_given_again_and_the_source_defaults(order, olivia):
    actor = Actor.staff(olivia)
    first = add_person(actor, order, Kind.LEAD, {"email": "a@x.example", "source": ""}, source="web")
    assert first.source == "web"
    first_id = first.pk
    first.delete()
    second = add_person(actor, order, Kind.LEAD, {"email": "b@x.example", "source": "fair"}, source="web")
    assert second.pk > first_id
    assert second.source == "fair"


def _parsed(text: str, region: str) -> str | None:
    """What the general parser makes of a number: the reference `normalise_phone` must agree with."""
    try:
        parsed = phonenumbers.parse(text.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not (phonenumbers.is_valid_number_for_region(parsed, region) or phonenumbers.is_valid_number(parsed)):
        return None
    formatted = f"+{parsed.country_code}{phonenumbers.national_significant_number(parsed)}"
    return formatted if re.fullmatch(r"\+[1-9]\d{6,14}", formatted) else None


def test_the_quick_reading_of_plain_numbers_agrees_with_the_parser() -> None:
    """`normalise_phone` reads numbers written plainly without the general parser (an import's slowest
    part); on thousands of numbers of many regions, real-looking and random, written every way people
    write them, it gives exactly what the parser gives."""
    regions = ["FR", "GB", "DE", "IT", "US", "CA", "BE", "CH", "AU", "ES", "AR", "MX", "BR", "NL", "SE", "JP"]
    kinds = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
    chosen = random.Random(20261202)
    quick = 0
    for _ in range(20000):
        region = chosen.choice(regions)
        example = phonenumbers.example_number_for_type(chosen.choice(regions), chosen.choice(kinds))
        if example is not None and chosen.random() < 0.5:
            national = str(example.national_number)
            national = national[:-4] + f"{chosen.randint(0, 9999):04d}"
            code = example.country_code
            text = chosen.choice(
                [f"+{code} {national}", f"0{national}", national, f"+{code} (0){national[:2]} {national[2:]}",
                 f"0{national[:1]}.{national[1:]}"]
            )  # fmt: skip
        else:
            digits = "".join(chosen.choice("0123456789") for _ in range(chosen.randint(4, 16)))
            text = chosen.choice(["", "+", "0", "00", "+33", "+44 ", "+39 0", "+1 "]) + digits
        if rules._plain(text, region) is not None:
            quick += 1
        assert normalise_phone(text, region) == _parsed(text, region), (text, region)
    assert quick > 2000  # the quick reading was taken often enough to be tested
