"""What a save sets going: the digest to the order's extra recipients, webhooks, call tasks for people
to qualify, opt-in emails and their single-use links; the outcome of a qualification call."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.integrations.actions import create_webhook_endpoint
from orderflow.leads.actions import (
    Outcome,
    add_person,
    add_recipient,
    answer_opt_in,
    record_call,
    save_people,
)
from orderflow.leads.models import Kind, OptIn, Person
from orderflow.notifications.models import CallTask, Channel, Delivery, Notification
from orderflow.orders.actions import assign_order
from orderflow.web.tests.conftest import DAYTIME, run_worker


def _link_token(person: Person) -> str:
    notification = Notification.objects.get(template="lead_opt_in", email=person.email)
    found = re.search(r"/o/([^/]+)/", str((notification.payload or {})["action_url"]))
    assert found is not None
    return found.group(1)


def test_one_digest_per_save_to_each_recipient(order, olivia, sam):
    actor = Actor.staff(olivia)
    add_recipient(actor, order, email="sales@partner.example")
    add_recipient(actor, order, membership=sam)
    rows = [{"email": f"p{i}@x.example"} for i in range(30)]
    save_people(actor, order, Kind.PARTICIPANT, rows, source="test")
    digests = Notification.objects.filter(template="people_added")
    assert sorted(n.recipient_name for n in digests) == sorted(["sales@partner.example", sam.display_name])
    email = Delivery.objects.get(notification__email="sales@partner.example")
    assert email.channel == Channel.EMAIL
    # An update only tells nobody.
    save_people(actor, order, Kind.PARTICIPANT, [{"email": "p1@x.example", "company": "Co"}], source="t")
    assert Notification.objects.filter(template="people_added").count() == 2


def test_recipients_are_the_sellers_staff_only(order, olivia, rita):
    with pytest.raises(Forbidden):
        add_recipient(Actor.staff(olivia), order, membership=rita)
    with pytest.raises(Forbidden):
        add_recipient(Actor.staff(rita), order, email="x@y.example")
    with pytest.raises(ActionError) as refused:
        add_recipient(Actor.staff(olivia), order, email="not-an-email")
    assert refused.value.code == "invalid_email"


def test_webhooks_lead_added_and_participant_added(settings, order, olivia, acme):
    settings.ALLOW_PRIVATE_DESTINATIONS = True
    create_webhook_endpoint(
        acme, url="http://127.0.0.1:9/hooks", event_types=["lead.added"], actor=Actor.staff(olivia)
    )
    save_people(Actor.staff(olivia), order, Kind.PARTICIPANT, [{"email": "a@x.example"}], source="t")
    assert not Notification.objects.filter(template="webhook").exists()
    save_people(Actor.staff(olivia), order, Kind.LEAD, [{"email": "a@x.example"}], source="t")
    hook = Notification.objects.get(template="webhook")
    assert hook.payload["type"] == "lead.added"
    assert hook.payload["data"]["event"]["data"]["created"] == 1


def test_a_phone_only_person_gets_a_call_task_for_the_assignee(order, olivia, sam):
    order = assign_order(order, assignee=sam, actor=Actor.staff(olivia))
    person = add_person(Actor.staff(olivia), order, Kind.LEAD, {"first_name": "Pat", "phone": "+12125550199"})
    assert person.needs_qualification
    run_worker()
    task = CallTask.objects.get()
    assert (task.assignee, task.phone, task.order_id) == (sam, "+12125550199", order.pk)
    assert "Pat" in task.script
    assert "email address" in task.script
    # The outcome fills in the missing details and closes the task.
    record_call(Actor.staff(sam), person, outcome=Outcome.QUALIFIED, values={"email": "pat@x.example"})
    person.refresh_from_db()
    task.refresh_from_db()
    assert person.email_normalised == "pat@x.example"
    assert not person.needs_qualification
    assert task.done_at is not None
    assert task.done_by == sam


def test_a_call_can_mark_do_not_contact(order, olivia):
    person = add_person(Actor.staff(olivia), order, Kind.PARTICIPANT, {"phone": "+12125550199"})
    record_call(Actor.staff(olivia), person, outcome=Outcome.DO_NOT_CONTACT, values={})
    person.refresh_from_db()
    assert person.do_not_contact
    assert not person.needs_qualification


def test_a_qualified_call_needs_the_email(order, olivia):
    person = add_person(Actor.staff(olivia), order, Kind.LEAD, {"phone": "+12125550199"})
    with pytest.raises(ActionError) as refused:
        record_call(Actor.staff(olivia), person, outcome=Outcome.QUALIFIED, values={})
    assert refused.value.code == "required"


def test_opt_in_link_records_consent_once(order, olivia):
    person = add_person(
        Actor.staff(olivia), order, Kind.LEAD, {"email": "lee@x.example"}, confirm_opt_in=True
    )
    assert person.opt_in == OptIn.PENDING
    token = _link_token(person)
    answered = answer_opt_in(token, consent=True, ip="203.0.113.9")
    assert answered.opt_in == OptIn.CONFIRMED
    assert answered.opt_in_ip == "203.0.113.9"
    assert answered.opt_in_at is not None
    with pytest.raises(ActionError) as again:
        answer_opt_in(token, consent=False, ip=None)
    assert again.value.code == "used_link"
    person.refresh_from_db()
    assert person.opt_in == OptIn.CONFIRMED


def test_opt_in_link_expires_and_refusal_marks_do_not_contact(order, olivia):
    person = add_person(
        Actor.staff(olivia), order, Kind.LEAD, {"email": "lee@x.example"}, confirm_opt_in=True
    )
    token = _link_token(person)
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)), pytest.raises(ActionError) as late:
        answer_opt_in(token, consent=True, ip=None)
    assert late.value.code == "expired_link"
    with pytest.raises(ActionError) as bad:
        answer_opt_in("nonsense-token-value", consent=True, ip=None)
    assert bad.value.code == "bad_link"
    refused = answer_opt_in(token, consent=False, ip=None)
    assert refused.opt_in == OptIn.REFUSED
    assert refused.do_not_contact


def test_the_digest_says_what_was_added(settings, order, olivia):
    from orderflow.notifications.models import SandboxMessage

    settings.NOTIFICATIONS_SANDBOX = True
    add_recipient(Actor.staff(olivia), order, email="sales@partner.example")
    rows = [{"first_name": "Ann", "last_name": "Lee", "email": "ann@x.example"}, {"phone": "+12125550199"}]
    with time_machine.travel(DAYTIME, tick=False):  # inside the seller's delivery hours
        save_people(Actor.staff(olivia), order, Kind.PARTICIPANT, rows, source="import")
        run_worker()
    message = SandboxMessage.objects.get(to="sales@partner.example")
    assert f"Order #{order.number}" in message.subject
    assert "2 participants added (import): Ann Lee, +12125550199" in message.body
