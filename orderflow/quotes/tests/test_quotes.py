"""The rules of quotes: drafting, sending (which freezes), revising, accepting, declining, expiring."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.models import Notification
from orderflow.orders.actions import LineInput, place_order, transition_order
from orderflow.orders.models import EventType, OrderEvent
from orderflow.quotes.actions import (
    QuoteLineInput,
    accept_quote,
    create_quote,
    decline_quote,
    expire_quotes,
    revise_quote,
    send_quote,
    update_quote,
)
from orderflow.quotes.models import Quote, QuoteStatus
from orderflow.quotes.tasks import expire_due_quotes
from orderflow.workflows.definition import WorkflowError, parse


def _code(excinfo: pytest.ExceptionInfo[ActionError]) -> str:
    return excinfo.value.code


def _events(order) -> list[str]:
    return list(OrderEvent.objects.filter(order=order).values_list("type", flat=True))


# --- Requests -------------------------------------------------------------------------------------


def test_a_request_or_a_free_request_waits_for_a_quote(services, corner_bar, alice, request_order):
    assert request_order.state == "pending_quotes"
    assert request_order.total() == Decimal("0.00")
    free = place_order(
        corner_bar, order_type=services, actor=Actor.customer(alice), lines=[LineInput("Logo refresh")]
    )
    assert free.state == "pending_quotes"


def test_flat_fee_items_are_ordered_at_their_price_without_a_quote(services, corner_bar, alice, olivia):
    from orderflow.catalog.actions import create_item

    fee = create_item(
        corner_bar.seller, actor=Actor.staff(olivia), sku="FLAT-1", name="Newsletter", kind="flat_fee",
        unit_price="250.00",
    )  # fmt: skip
    order = place_order(
        corner_bar, order_type=services, actor=Actor.customer(alice), lines=[LineInput(item_id=fee.pk)]
    )
    assert order.state == "pending_approval"  # the workflow's `priced` entry state
    assert order.total() == Decimal("250.00")


def test_a_seller_may_accept_a_request_without_a_quote(request_order, olivia):
    order = transition_order(request_order, to="approved", actor=Actor.staff(olivia))
    assert order.state == "approved"


# --- Drafting and sending -------------------------------------------------------------------------


def test_a_draft_starts_from_the_request_lines(request_order, olivia):
    quote = create_quote(request_order, actor=Actor.staff(olivia))
    assert quote.version == 1
    assert quote.status == QuoteStatus.DRAFT
    assert [line.description for line in quote.lines.all()] == ["Social media campaign for the spring menu"]
    assert EventType.QUOTE_DRAFTED in _events(request_order)


def test_sending_freezes_the_quote_and_moves_the_order(draft, olivia):
    quote = send_quote(draft, actor=Actor.staff(olivia))
    assert quote.status == QuoteStatus.SENT
    order = quote.order
    order.refresh_from_db()
    assert order.state == "pending_approval"
    with pytest.raises(ActionError) as excinfo:
        update_quote(quote, actor=Actor.staff(olivia), notes="Changed")
    assert _code(excinfo) == "quote_sent"
    with pytest.raises(ActionError) as excinfo:
        send_quote(quote, actor=Actor.staff(olivia))
    assert _code(excinfo) == "quote_sent"
    with pytest.raises(ActionError) as excinfo:
        create_quote(order, actor=Actor.staff(olivia))
    assert _code(excinfo) == "quote_sent"


def test_the_customer_is_told_of_a_sent_quote(draft, olivia, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_quote(draft, actor=Actor.staff(olivia))
    told = Notification.objects.filter(event__type=EventType.QUOTE_SENT, skipped=False)
    assert {n.contact_id for n in told if n.contact_id} == {alice.pk}
    assert all(n.template == "quote_sent" for n in told)
    assert told.first().deliveries.exists()


def test_a_quote_is_sent_only_with_every_price(request_order, olivia):
    quote = create_quote(request_order, actor=Actor.staff(olivia))  # the request's line has no price
    with pytest.raises(ActionError) as excinfo:
        send_quote(quote, actor=Actor.staff(olivia))
    assert _code(excinfo) == "quote_unpriced"
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT


def test_an_empty_quote_is_not_sent(request_order, olivia):
    quote = create_quote(request_order, actor=Actor.staff(olivia), lines=[])
    with pytest.raises(ActionError) as excinfo:
        send_quote(quote, actor=Actor.staff(olivia))
    assert _code(excinfo) == "quote_empty"


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (QuoteLineInput("", 1, "10"), "invalid"),
        (QuoteLineInput("x" * 301, 1, "10"), "invalid"),
        (QuoteLineInput("Design", 0, "10"), "invalid_quantity"),
        (QuoteLineInput("Design", "abc", "10"), "invalid_quantity"),
        (QuoteLineInput("Design", 1, "-1"), "invalid_price"),
        (QuoteLineInput("Design", 1, "1e100"), "invalid_price"),
        (QuoteLineInput("Design", 1, "10.001"), "invalid_price"),
        (QuoteLineInput("Design", 1, "10", "101"), "invalid_tax_rate"),
        (QuoteLineInput("Design", 1, "10", "-2"), "invalid_tax_rate"),
        (QuoteLineInput("Design", 1, "10", item_id=999_999), "unknown_item"),
    ],
)
def test_bad_lines_are_refused_and_change_nothing(draft, olivia, line, code):
    with pytest.raises(ActionError) as excinfo:
        update_quote(draft, actor=Actor.staff(olivia), lines=[line])
    assert _code(excinfo) == code
    assert draft.lines.count() == 2


def test_bad_dates_and_currency_are_refused(draft, olivia):
    staff = Actor.staff(olivia)
    yesterday = dt.date.today() - dt.timedelta(days=2)
    for kwargs, code in [
        ({"expires_on": yesterday}, "invalid_expiry"),
        ({"expires_on": dt.date.today() + dt.timedelta(days=400)}, "invalid_expiry"),
        ({"expires_on": None}, "expiry_required"),
        ({"completion_on": yesterday}, "invalid_completion"),
        ({"currency": "dollars"}, "invalid_currency"),
    ]:
        with pytest.raises(ActionError) as excinfo:
            update_quote(draft, actor=staff, **kwargs)
        assert _code(excinfo) == code, kwargs
    assert update_quote(draft, actor=staff, currency="cad").currency == "CAD"


def test_only_the_sellers_staff_draft_quotes(request_order, rita, alice):
    for actor in (Actor.staff(rita), Actor.customer(alice)):
        with pytest.raises(ActionError) as excinfo:
            create_quote(request_order, actor=actor)
        assert _code(excinfo) == "forbidden"
    assert not Quote.objects.exists()


# --- Revising ---------------------------------------------------------------------------------------


def test_a_revision_is_a_new_version_and_the_old_one_is_superseded(draft, olivia, alice):
    sent = send_quote(draft, actor=Actor.staff(olivia))
    revision = revise_quote(sent, actor=Actor.staff(olivia))
    assert revision.version == 2
    assert revision.status == QuoteStatus.DRAFT
    assert revision.lines.count() == 2
    assert revision.notes == sent.notes
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.SUPERSEDED
    with pytest.raises(ActionError) as excinfo:
        accept_quote(sent, actor=Actor.customer(alice))
    assert _code(excinfo) == "quote_superseded"
    with pytest.raises(ActionError) as excinfo:
        revise_quote(sent, actor=Actor.staff(olivia))
    assert _code(excinfo) == "quote_superseded"
    update_quote(revision, actor=Actor.staff(olivia), lines=[QuoteLineInput("Campaign, smaller", 1, "500")])
    assert sent.lines.count() == 2  # every version stays as it was


def test_a_draft_is_changed_not_revised(draft, olivia):
    with pytest.raises(ActionError) as excinfo:
        revise_quote(draft, actor=Actor.staff(olivia))
    assert _code(excinfo) == "quote_draft"


# --- Accepting and declining ------------------------------------------------------------------------


def test_accepting_copies_the_lines_and_completion_and_moves_the_order(draft, olivia, alice):
    sent = send_quote(draft, actor=Actor.staff(olivia))
    accepted = accept_quote(sent, actor=Actor.customer(alice))
    assert accepted.status == QuoteStatus.ACCEPTED
    assert accepted.decided_by_contact == alice
    order = accepted.order
    order.refresh_from_db()
    assert order.state == "approved"
    assert order.estimated_completion == draft.completion_on
    assert [(line.description, line.unit_price) for line in order.lines.all()] == [
        ("Campaign design", Decimal("800.00")),
        ("Posts, per week", Decimal("150.00")),
    ]
    assert order.total() == sent.totals().total == Decimal("1471.00")
    assert EventType.QUOTE_ACCEPTED in _events(order)
    with pytest.raises(ActionError) as excinfo:
        accept_quote(sent, actor=Actor.customer(alice))
    assert _code(excinfo) == "quote_accepted"
    with pytest.raises(ActionError) as excinfo:
        revise_quote(sent, actor=Actor.staff(olivia))
    assert _code(excinfo) == "quote_accepted"


def test_a_draft_cannot_be_accepted(draft, alice):
    with pytest.raises(ActionError) as excinfo:
        accept_quote(draft, actor=Actor.customer(alice))
    assert _code(excinfo) == "quote_not_sent"


def test_another_customer_or_seller_cannot_answer(draft, olivia, rita, acme):
    from orderflow.accounts.actions import add_contact, add_customer

    stranger = add_contact(add_customer(acme, name="Other Bar"), name="Oscar", email="oscar@other.example")
    sent = send_quote(draft, actor=Actor.staff(olivia))
    for actor in (Actor.customer(stranger), Actor.staff(rita)):
        with pytest.raises(ActionError) as excinfo:
            accept_quote(sent, actor=actor)
        assert _code(excinfo) == "forbidden"
        with pytest.raises(ActionError) as excinfo:
            decline_quote(sent, actor=actor, reason="No")
        assert _code(excinfo) == "forbidden"
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.SENT


def test_declining_needs_a_reason_and_sends_the_request_back(draft, olivia, alice):
    sent = send_quote(draft, actor=Actor.staff(olivia))
    for reason in ("", "   "):
        with pytest.raises(ActionError) as excinfo:
            decline_quote(sent, actor=Actor.customer(alice), reason=reason)
        assert _code(excinfo) == "reason_required"
    with pytest.raises(ActionError) as excinfo:
        decline_quote(sent, actor=Actor.customer(alice), reason="x" * 2001)
    assert _code(excinfo) == "invalid"
    declined = decline_quote(sent, actor=Actor.customer(alice), reason="Too expensive for us")
    assert declined.status == QuoteStatus.DECLINED
    assert declined.decline_reason == "Too expensive for us"
    order = declined.order
    order.refresh_from_db()
    assert order.state == "pending_quotes"
    with pytest.raises(ActionError) as excinfo:
        accept_quote(declined, actor=Actor.customer(alice))
    assert _code(excinfo) == "quote_declined"
    # Staff answer with a new version.
    revision = revise_quote(declined, actor=Actor.staff(olivia))
    assert revision.version == 2
    declined.refresh_from_db()
    assert declined.status == QuoteStatus.DECLINED


def test_staff_are_told_of_a_decline(draft, olivia, sam, alice):
    sent = send_quote(draft, actor=Actor.staff(olivia))
    decline_quote(sent, actor=Actor.customer(alice), reason="Not now")
    told = Notification.objects.filter(event__type=EventType.QUOTE_DECLINED, skipped=False)
    assert {n.membership_id for n in told} >= {olivia.pk, sam.pk}


# --- Expiry -------------------------------------------------------------------------------------------


def test_a_quote_expires_after_its_last_day_in_the_sellers_time_zone(draft, olivia, alice):
    sent = send_quote(draft, actor=Actor.staff(olivia))
    last_day = sent.expires_on
    # 23:30 in New York on the last day is 04:30 UTC the next day: still valid.
    late = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(4, 30), tzinfo=dt.UTC)
    with time_machine.travel(late, tick=False):
        assert expire_quotes() == 0
    after = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(5, 30), tzinfo=dt.UTC)
    with time_machine.travel(after, tick=False):
        with pytest.raises(ActionError) as excinfo:
            accept_quote(sent, actor=Actor.customer(alice))
        assert _code(excinfo) == "quote_expired"
        assert expire_quotes() == 1
        assert expire_quotes() == 0
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.EXPIRED
    told = Notification.objects.filter(event__type=EventType.QUOTE_EXPIRED, skipped=False)
    assert alice.pk in {n.contact_id for n in told}
    assert olivia.pk in {n.membership_id for n in told}
    with pytest.raises(ActionError) as excinfo:
        accept_quote(sent, actor=Actor.customer(alice))
    assert _code(excinfo) == "quote_expired"


def test_the_periodic_task_expires_due_quotes(draft, olivia):
    sent = send_quote(draft, actor=Actor.staff(olivia))
    later = dt.datetime.combine(sent.expires_on + dt.timedelta(days=2), dt.time(12), tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        expire_due_quotes.enqueue()
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.EXPIRED


# --- Concurrency --------------------------------------------------------------------------------------


def test_two_answers_one_after_the_other_keep_exactly_one(draft, olivia, alice, bruno):
    sent = send_quote(draft, actor=Actor.staff(olivia))
    stale = Quote.objects.get(pk=sent.pk)
    accept_quote(sent, actor=Actor.customer(alice))
    with pytest.raises(ActionError) as excinfo:
        accept_quote(stale, actor=Actor.customer(bruno))
    assert _code(excinfo) == "quote_accepted"
    assert OrderEvent.objects.filter(type=EventType.QUOTE_ACCEPTED).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL")
def test_two_people_accepting_at_once_leave_exactly_one_acceptance(acme, olivia, alice, bruno, services):
    order = place_order(
        alice.customer, order_type=services, actor=Actor.customer(alice), lines=[LineInput("Campaign")]
    )
    quote = create_quote(order, actor=Actor.staff(olivia), lines=[QuoteLineInput("Campaign", 1, "100")])
    send_quote(quote, actor=Actor.staff(olivia))
    results: list[str] = []
    barrier = threading.Barrier(2)

    def accept(contact) -> None:
        barrier.wait()
        try:
            accept_quote(Quote.objects.get(pk=quote.pk), actor=Actor.customer(contact))
            results.append("ok")
        except ActionError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(c,)) for c in (alice, bruno)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "quote_accepted"]
    assert OrderEvent.objects.filter(order=order, type=EventType.QUOTE_ACCEPTED).count() == 1


# --- Workflow setting ---------------------------------------------------------------------------------


def _minimal(**quotes: str) -> dict:
    return {
        "key": "k",
        "name": "K",
        "initial": "new",
        "states": [
            {"key": "new", "label": "New", "category": "open"},
            {"key": "done", "label": "Done", "category": "done", "final": True},
        ],
        "transitions": [{"from": "new", "to": "done", "by": ["staff"]}],
        "quotes": quotes,
    }


def test_the_quotes_setting_is_validated():
    assert parse(_minimal(accept="new")).quotes == {"accept": "new"}
    with pytest.raises(WorkflowError):
        parse(_minimal(accept="nowhere"))
    with pytest.raises(WorkflowError):
        parse(_minimal(accept="done"))  # final
    with pytest.raises(WorkflowError):
        parse(_minimal(sideways="new"))


def test_a_workflow_without_the_setting_keeps_the_order_where_it_is(make_order, olivia, alice):
    order = make_order("custom-production")
    state = order.state
    quote = create_quote(order, actor=Actor.staff(olivia), lines=[QuoteLineInput("Work", 1, "10")])
    send_quote(quote, actor=Actor.staff(olivia))
    accept_quote(quote, actor=Actor.customer(alice))
    order.refresh_from_db()
    assert order.state == state
    assert order.total() == Decimal("10.00")


# --- Messages -----------------------------------------------------------------------------------------


def test_every_quote_message_renders_for_both_sides_in_both_languages(draft, olivia, alice, bruno):
    from orderflow.notifications.render import render

    sent = send_quote(draft, actor=Actor.staff(olivia))
    decline_quote(sent, actor=Actor.customer(bruno), reason="Trop cher")
    revision = revise_quote(sent, actor=Actor.staff(olivia))
    send_quote(revision, actor=Actor.staff(olivia))
    accept_quote(revision, actor=Actor.customer(alice))
    told = Notification.objects.filter(skipped=False, template__startswith="quote_")
    assert {n.template for n in told} == {"quote_sent", "quote_accepted", "quote_declined"}
    for notification in told:
        for locale in ("en", "fr"):
            notification.locale = locale
            message = render(notification)
            assert str(notification.event.order.number) in message.subject
            assert "version" in message.text
    sent_to_alice = told.filter(template="quote_sent", contact=alice).first()
    message = render(sent_to_alice)
    assert "$1,471.00" in message.text
    assert "/q/" in message.text  # her link to answer that version


def test_while_a_quote_waits_the_order_is_approved_only_by_accepting_it(draft, olivia, alice):
    from orderflow.orders.actions import available_transitions

    sent = send_quote(draft, actor=Actor.staff(olivia))
    order = sent.order
    order.refresh_from_db()
    assert "approved" not in [t.target for t in available_transitions(order, Actor.customer(alice))]
    for actor in (Actor.customer(alice), Actor.staff(olivia)):
        with pytest.raises(ActionError) as excinfo:
            transition_order(order, to="approved", actor=actor)
        assert _code(excinfo) == "quote_open"


def test_webhooks_receive_the_quote_events(draft, olivia, alice):
    from orderflow.integrations.actions import create_webhook_endpoint

    endpoint = create_webhook_endpoint(
        draft.seller,
        url="https://erp.example.com/hooks/quotes",
        event_types=["quote.sent", "quote.accepted"],
        actor=Actor.staff(olivia),
    )
    accept_quote(send_quote(draft, actor=Actor.staff(olivia)), actor=Actor.customer(alice))
    sent = Notification.objects.filter(webhook=endpoint).order_by("pk")
    assert [n.payload["type"] for n in sent] == ["quote.sent", "quote.accepted"]
    accepted = sent.last().payload["data"]
    assert accepted["event"]["data"]["version"] == 1
    assert accepted["order"]["state"] == "approved"


def test_a_workflow_may_cancel_the_order_when_its_quote_is_declined(services, corner_bar, alice, olivia):
    import copy

    from orderflow.workflows.actions import publish_workflow
    from orderflow.workflows.loader import load_preset

    definition = copy.deepcopy(load_preset("services-marketplace"))
    definition["quotes"]["decline"] = "cancelled"
    publish_workflow(services, definition=definition, actor=Actor.staff(olivia))
    order = place_order(
        corner_bar, order_type=services, actor=Actor.customer(alice), lines=[LineInput("Ads")]
    )
    quote = create_quote(order, actor=Actor.staff(olivia), lines=[QuoteLineInput("Ads", 1, "100")])
    decline_quote(
        send_quote(quote, actor=Actor.staff(olivia)), actor=Actor.customer(alice), reason="No budget"
    )
    order.refresh_from_db()
    assert order.state == "cancelled"
    assert order.cancel_reason == "No budget"
    assert EventType.CANCELLED in _events(order)
