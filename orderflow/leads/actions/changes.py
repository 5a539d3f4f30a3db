"""Changes to one participant or lead: edit, remove, convert a participant to a lead, the outcome of a
qualification call, the answer to an opt-in email; and the extra people told when people are added."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict, Forbidden
from orderflow.leads.actions.outreach import qualification_key, send_opt_in
from orderflow.leads.actions.people import check_may_change, save_people
from orderflow.leads.models import Kind, OptIn, OptInLink, Person, Recipient
from orderflow.leads.rules import PERSON_FIELDS, problem_message, region_for, validate_person
from orderflow.leads.selectors import opt_in_link
from orderflow.notifications.models import (
    Audience,
    CallTask,
    Category,
    Event,
    NotificationRule,
)
from orderflow.orders.actions.common import log_event
from orderflow.orders.models import EventType, Order

MAX_RECIPIENTS = 20
PEOPLE_ADDED_TEMPLATE = "people_added"


def _locked(person: Person) -> tuple[Order, Person]:
    order = Order.objects.select_for_update(of=("self",)).select_related("seller").get(pk=person.order_id)
    fresh = Person.objects.select_for_update().filter(pk=person.pk).first()
    if fresh is None:
        raise Conflict("gone", _("This person was removed meanwhile."))
    return order, fresh


def _check_staff(actor: Actor, order: Order) -> None:
    member = actor.membership
    if actor.kind == "system":
        return
    if actor.kind != "staff" or member is None or not member.is_active or member.seller_id != order.seller_id:
        raise Forbidden("forbidden", _("Only the seller's staff can do this."))


def _refuse(problems: list[tuple[str, str]]) -> None:
    if problems:
        field, code = problems[0]
        raise ActionError(code, problem_message(field, code), details={"field": field})


def update_person(actor: Actor, person: Person, values: Mapping[str, Any]) -> Person:
    """Set the given fields (an empty value clears one); the person keeps an email or a phone, and
    neither may be another person's of the same order and kind."""
    order = person.order
    check_may_change(actor, order, person.kind)
    unknown = [name for name in values if name not in (*PERSON_FIELDS, "do_not_contact")]
    _refuse([(name, "unknown_field") for name in unknown])
    texts = {name: value for name, value in values.items() if name in PERSON_FIELDS}
    clean, problems = validate_person(texts, region=region_for(order.seller.currency), partial=True)
    _refuse(problems)
    try:
        with transaction.atomic():
            order, person = _locked(person)
            before = {name: getattr(person, name) for name in clean}
            for name, value in clean.items():
                setattr(person, name, value)
            if "do_not_contact" in values:
                person.do_not_contact = bool(values["do_not_contact"])
            if not person.email_normalised and not person.phone_normalised:
                _refuse([("email", "email_or_phone_required")])
            _check_unique(person)
            person.needs_qualification = bool(
                person.phone_normalised and not person.email_normalised and not person.do_not_contact
            )
            person.updated_at = timezone.now()
            person.save()
            changed = {
                name: [before[name], value]
                for name, value in clean.items()
                if before[name] != value and not name.endswith("_normalised")
            }
            log_event(
                order,
                EventType.PERSON_CHANGED,
                actor,
                data={
                    "kind": person.kind,
                    "person": person.pk,
                    "name": person.display_name,
                    "changes": changed,
                },
            )
    except IntegrityError:
        raise Conflict(
            "conflict", _("Someone changed the same person at the same time. Try again.")
        ) from None
    return person


def _check_unique(person: Person) -> None:
    same = Person.objects.filter(order_id=person.order_id, kind=person.kind).exclude(pk=person.pk)
    if person.email_normalised and same.filter(email_normalised=person.email_normalised).exists():
        raise ActionError("conflict", problem_message("email", "conflict"), details={"field": "email"})
    if person.phone_normalised and same.filter(phone_normalised=person.phone_normalised).exists():
        raise ActionError("conflict", problem_message("phone", "conflict"), details={"field": "phone"})


def remove_person(actor: Actor, person: Person) -> None:
    """Staff remove a lead or a participant; the log keeps who it was."""
    _check_staff(actor, person.order)
    with transaction.atomic():
        order, person = _locked(person)
        log_event(
            order,
            EventType.PERSON_REMOVED,
            actor,
            data={"kind": person.kind, "person": person.pk, "name": person.display_name},
        )
        person.delete()


def convert_to_lead(actor: Actor, participant: Person) -> Person:
    """Make a participant a lead of the same order in one click: a new lead with their details, or
    the lead with the same email or phone updated."""
    if participant.kind != Kind.PARTICIPANT:
        raise ActionError("invalid", _("Only a participant can be made a lead."))
    _check_staff(actor, participant.order)
    row = {name: getattr(participant, name) for name in PERSON_FIELDS}
    with transaction.atomic():
        result = save_people(
            actor, participant.order, Kind.LEAD, [row], source=participant.source or "participant"
        )
        if result.failed:
            _row, field, code = result.failed[0]
            raise ActionError(code, problem_message(field, code), details={"field": field})
        lead = Person.objects.get(pk=result.ids[0])
        if lead.converted_from_id is None:
            lead.converted_from = participant
            lead.save(update_fields=["converted_from"])
        order = Order.objects.select_for_update(of=("self",)).get(pk=participant.order_id)
        log_event(
            order,
            EventType.PERSON_CONVERTED,
            actor,
            data={"person": participant.pk, "lead": lead.pk, "name": lead.display_name},
        )
    return lead


class Outcome:
    QUALIFIED = "qualified"
    DO_NOT_CONTACT = "do_not_contact"
    NO_ANSWER = "no_answer"
    ALL = (QUALIFIED, DO_NOT_CONTACT, NO_ANSWER)


def record_call(
    actor: Actor, person: Person, *, outcome: str, values: Mapping[str, Any], note: str = ""
) -> Person:
    """The outcome of a qualification call: `qualified` fills in the details given (an email at
    least), `do_not_contact` marks the person not to be contacted, `no_answer` leaves them to call
    again. Marks the call task done."""
    _check_staff(actor, person.order)
    if outcome not in Outcome.ALL:
        raise ActionError("invalid", _("Choose how the call went."), details={"field": "outcome"})
    texts = {name: value for name, value in values.items() if name in PERSON_FIELDS and value}
    clean, problems = validate_person(texts, region=region_for(person.order.seller.currency), partial=True)
    _refuse(problems)
    if outcome == Outcome.QUALIFIED and not clean.get("email_normalised"):
        raise ActionError(
            "required", _("Write the email address the person gave."), details={"field": "email"}
        )
    with transaction.atomic():
        order, person = _locked(person)
        for name, value in clean.items():
            setattr(person, name, value)
        if outcome == Outcome.DO_NOT_CONTACT:
            person.do_not_contact = True
        if outcome != Outcome.NO_ANSWER:
            person.needs_qualification = False
        _check_unique(person)
        person.updated_at = timezone.now()
        person.save()
        now = timezone.now()
        said = note.strip()[:2000] or outcome
        CallTask.objects.filter(
            delivery__notification__idempotency_key=qualification_key(person.pk), done_at__isnull=True
        ).update(done_at=now, done_by=actor.membership, outcome=said)
        log_event(
            order,
            EventType.CALL_DONE,
            actor,
            data={"person": person.pk, "contact": person.display_name, "outcome": said, "result": outcome},
        )
    return person


def answer_opt_in(token: str, *, consent: bool, ip: str | None) -> Person:
    """The lead's answer through the link of their opt-in email: consent or refusal, with the time and
    the address it came from. The link works once, until it expires."""
    link, problem = opt_in_link(token)
    if problem or link is None:
        raise ActionError(problem, link_problem(problem))
    with transaction.atomic():
        if OptInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now()) != 1:
            raise ActionError("used_link", link_problem("used_link"))
        order, person = _locked(link.person)
        person.opt_in = OptIn.CONFIRMED if consent else OptIn.REFUSED
        person.opt_in_at = timezone.now()
        person.opt_in_ip = ip or None
        if not consent:
            person.do_not_contact = True
        person.save(update_fields=["opt_in", "opt_in_at", "opt_in_ip", "do_not_contact"])
        log_event(
            order,
            EventType.OPT_IN,
            Actor.system(person.display_name[:200] or "Lead"),
            data={"person": person.pk, "name": person.display_name, "opt_in": person.opt_in},
        )
    return person


def link_problem(code: str) -> str:
    """Why an opt-in link cannot be used, for people."""
    if code == "used_link":
        return _("This link was already used: your answer is recorded.")
    if code == "expired_link":
        return _("This link has expired.")
    return _("This link is not valid.")


def ask_opt_in(actor: Actor, person: Person) -> Person:
    """Send (again) the opt-in email of a lead; the earlier link stops working."""
    _check_staff(actor, person.order)
    if person.kind != Kind.LEAD or not person.email_normalised:
        raise ActionError("invalid", _("Only a lead with an email address can be asked to confirm."))
    with transaction.atomic():
        order, person = _locked(person)
        person.opt_in = OptIn.PENDING
        person.save(update_fields=["opt_in"])
        send_opt_in(order, {"id": person.pk, "email": person.email, "first_name": person.first_name,
                            "last_name": person.last_name, "phone": person.phone})  # fmt: skip
    return person


def add_recipient(
    actor: Actor, order: Order, *, email: str = "", membership: Membership | None = None
) -> Recipient:
    """Someone else to tell when participants or leads are added to the order: an email address or a
    staff member of the seller."""
    _check_staff(actor, order)
    email = email.strip().lower()
    if bool(email) == (membership is not None):
        raise ActionError(
            "invalid", _("Give an email address or choose a staff member."), details={"field": "email"}
        )
    if email:
        _clean, problems = validate_person({"email": email})
        _refuse(problems)
    if membership is not None and membership.seller_id != order.seller_id:
        raise Forbidden("forbidden", _("Choose a staff member of this seller."))
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
        existing = Recipient.objects.filter(order=order)
        if (email and existing.filter(email=email).exists()) or (
            membership is not None and existing.filter(membership=membership).exists()
        ):
            raise ActionError("duplicate", _("They are already told."), details={"field": "email"})
        if existing.count() >= MAX_RECIPIENTS:
            raise ActionError(
                "too_many", _("An order tells at most %(count)s extra people.") % {"count": MAX_RECIPIENTS}
            )
        recipient = Recipient.objects.create(
            order=order, email=email, membership=membership, created_at=timezone.now()
        )
        ensure_rule(order.seller_id)
    return recipient


def ensure_rule(seller_id: int) -> None:
    """The seller's rule that tells the orders' extra recipients (made once; the seller may then edit
    or pause it with their other rules)."""
    NotificationRule.objects.get_or_create(
        seller_id=seller_id,
        order_type=None,
        event=Event.PEOPLE_ADDED,
        audience=Audience.PEOPLE_RECIPIENTS,
        defaults={"template": PEOPLE_ADDED_TEMPLATE, "category": Category.PEOPLE},
    )


def remove_recipient(actor: Actor, recipient: Recipient) -> None:
    _check_staff(actor, recipient.order)
    recipient.delete()


__all__ = [
    "Outcome",
    "add_recipient",
    "answer_opt_in",
    "ask_opt_in",
    "convert_to_lead",
    "record_call",
    "remove_person",
    "remove_recipient",
    "update_person",
]
