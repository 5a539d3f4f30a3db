"""Customer confirmations (article 003): who may be sent one, the approval link, acceptance and its
evidence, the copies through the outbox, progressing the quote into the order."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core import signing
from django.utils import timezone
from pypdf import PdfReader

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications import links
from orderflow.notifications.models import Delivery, Notification
from orderflow.notifications.render import render
from orderflow.orders.models import EventType, Order
from orderflow.quotes.actions.confirmations import (
    SHOWN_SALT,
    accept_confirmation,
    candidates,
    check_open,
    open_by_link,
    progress_quote,
    revoke_confirmation,
    send_confirmation,
    shown,
)
from orderflow.quotes.actions.terms import publish_terms
from orderflow.quotes.models import Acceptance, ConfirmationStatus, QuoteStatus
from orderflow.quotes.pdf import acceptance_pdf


def _accept(confirmation, contact, *, agree=True, authorised=True, token=None, user=None):
    return accept_confirmation(
        confirmation,
        shown_token=token if token is not None else shown(confirmation).token,
        contact_id=contact.pk if contact is not None else "",
        agree="on" if agree else "",
        authorised="on" if authorised else "",
        user=user,
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0 (test)",
    )


def _link_token(confirmation) -> str:
    return links.approval_token(confirmation.pk, confirmation.link_nonce)


def test_sending_freezes_the_quote_moves_the_order_and_emails_the_approval_link(quote, alice, olivia, terms):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))

    order = Order.objects.get(pk=quote.order_id)
    assert order.state == "confirmation_sent"
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    assert confirmation.status == ConfirmationStatus.SENT
    assert order.events.filter(type=EventType.CONFIRMATION_SENT).count() == 1
    # The email to Alice, through the outbox, carries the approval link.
    note = Notification.objects.get(template="confirmation_request")
    assert note.contact_id == alice.pk
    assert Delivery.objects.get(notification=note).address == alice.email
    message = render(note)
    assert links.approval_url(confirmation.pk, confirmation.link_nonce) in message.text
    assert "1249" not in message.text
    assert "1,249" not in message.text  # no prices


@pytest.mark.parametrize("which", ["gmail", "lookalike", "suffix", "prefix"])
def test_contacts_outside_the_customers_domains_are_refused(quote, olivia, terms, outsiders, which):
    with pytest.raises(ActionError) as refused:
        send_confirmation(quote, contact=outsiders[which], actor=Actor.staff(olivia))
    assert refused.value.code == "contact_outside_domains"
    assert not quote.confirmations.exists()
    assert Order.objects.get(pk=quote.order_id).state == "quote_drafted"


def test_case_and_a_trailing_dot_do_not_change_the_domain(quote, olivia, terms, carl):
    assert send_confirmation(quote, contact=carl, actor=Actor.staff(olivia)).contact == carl


def test_other_refusals_have_their_codes(quote, olivia, terms, bruno, rival_customer, make_quote):
    staff = Actor.staff(olivia)
    with pytest.raises(ActionError) as refused:
        send_confirmation(quote, contact=bruno, actor=staff)
    assert refused.value.code == "contact_without_email"
    stranger = rival_customer.contacts.create(name="Stranger", email="s@cornerbar.example")
    with pytest.raises(ActionError) as refused:
        send_confirmation(quote, contact=stranger, actor=staff)
    assert refused.value.code == "contact_not_of_customer"


def test_the_offered_contacts_say_why_not(quote, alice, bruno, outsiders, carl):
    offered = {c.contact.name: (c.refusal.code if c.refusal else None) for c in candidates(quote.order)}
    assert offered["Alice Martin"] is None
    assert offered["Carl Upper"] is None
    assert offered["Bob Free"] == "contact_outside_domains"
    assert offered["Bruno Petit"] == "contact_without_email"


def test_no_terms_no_confirmation(quote, alice, olivia):
    with pytest.raises(ActionError) as refused:
        send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    assert refused.value.code == "no_terms"


def test_another_sellers_staff_cannot_send(quote, alice, rita, terms):
    with pytest.raises(ActionError) as refused:
        send_confirmation(quote, contact=alice, actor=Actor.staff(rita))
    assert refused.value.code == "forbidden"


def test_accepting_keeps_the_evidence_and_sends_the_pdf_to_both_sides(quote, alice, olivia, sam, terms):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(sam))
    page = shown(confirmation)
    assert "unit_price" not in str(page.summary)
    assert "1249" not in str(page.summary)

    acceptance = _accept(confirmation, alice, token=page.token)

    assert acceptance.summary == page.summary  # what is stored is what was shown
    assert acceptance.terms_version == 1
    assert acceptance.terms_sha256 == terms.sha256
    assert acceptance.contact == alice
    assert acceptance.ip_address == "203.0.113.7"
    assert acceptance.user_agent == "Mozilla/5.0 (test)"
    assert "alice@cornerbar.example" in acceptance.identity
    order = Order.objects.get(pk=quote.order_id)
    assert order.state == "terms_accepted"
    confirmation.refresh_from_db()
    assert confirmation.status == ConfirmationStatus.ACCEPTED
    copies = Notification.objects.filter(template="confirmation_accepted")
    assert {(n.contact_id, n.membership_id) for n in copies} == {(alice.pk, None), (None, sam.pk)}
    assert Delivery.objects.get(notification__contact=alice, notification__in=copies).address == alice.email
    for note in copies:
        message = render(note)
        [(name, content, mimetype)] = message.attachments
        assert mimetype == "application/pdf"
        assert name.endswith(".pdf")
        assert content == render(note).attachments[0][1]  # the same bytes at every render


def test_the_pdf_shows_what_was_accepted_and_no_price(quote, alice, olivia, terms):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    acceptance = _accept(confirmation, alice)

    _name, content, _type = acceptance_pdf(acceptance, locale="en")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)

    assert "Firewall appliance" in text
    assert "Installation day" in text
    assert "version 1" in text
    assert terms.sha256 in text.replace("\n", "")
    assert "Alice Martin" in text
    assert "Corner Bar" in text
    assert "Payment within 30 days" in text
    for price in ("1249", "1,249", "980", "8.25", "$"):
        assert price not in text
    french = acceptance_pdf(acceptance, locale="fr")[1]
    assert "Conditions" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(french)).pages)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"agree": False}, "terms_not_agreed"),
        ({"authorised": False}, "authority_not_confirmed"),
        ({"contact": None}, "contact_required"),
        ({"token": "tampered"}, "invalid"),
    ],
)
def test_a_bad_acceptance_saves_nothing(quote, alice, olivia, terms, kwargs, code):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    contact = kwargs.pop("contact", alice)
    with pytest.raises(ActionError) as refused:
        _accept(confirmation, contact, **kwargs)
    assert refused.value.code == code
    assert not Acceptance.objects.exists()
    assert Order.objects.get(pk=quote.order_id).state == "confirmation_sent"


def test_a_contact_of_another_customer_is_refused(quote, alice, olivia, terms, rival_customer):
    stranger = rival_customer.contacts.create(name="Stranger", email="s@rival.example")
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    with pytest.raises(ActionError) as refused:
        _accept(confirmation, stranger)
    assert refused.value.code == "contact_not_of_customer"
    assert not Acceptance.objects.exists()


def test_a_summary_other_than_the_one_shown_is_refused(quote, alice, olivia, terms):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    page = shown(confirmation)
    forged = signing.dumps({"c": confirmation.pk + 1, "t": terms.pk, "s": page.summary}, salt=SHOWN_SALT)
    with pytest.raises(ActionError) as refused:
        _accept(confirmation, alice, token=forged)
    assert refused.value.code == "invalid"


def test_the_link_is_single_use_once_accepted(quote, alice, olivia, terms):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    token = _link_token(confirmation)
    page = shown(open_by_link(token))
    _accept(confirmation, alice, token=page.token)
    with pytest.raises(ActionError) as refused:
        check_open(open_by_link(token))
    assert refused.value.code == "already_accepted"
    with pytest.raises(ActionError) as refused:
        _accept(open_by_link(token), alice, token=page.token)
    assert refused.value.code == "already_accepted"
    assert Acceptance.objects.count() == 1


def test_a_tampered_link_is_refused(quote, alice, olivia, terms):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    token = _link_token(confirmation)
    for bad in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        f"{confirmation.pk + 1}{token[1:]}",
        "x",
        "",
    ):
        with pytest.raises(ActionError) as refused:
            open_by_link(bad)
        assert refused.value.code == "invalid"


def test_a_revoked_link_stops_working(quote, alice, olivia, terms):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    token = _link_token(confirmation)
    revoke_confirmation(confirmation, actor=Actor.staff(olivia))
    with pytest.raises(ActionError) as refused:
        open_by_link(token)
    assert refused.value.code == "revoked"
    with pytest.raises(ActionError) as refused:
        revoke_confirmation(confirmation, actor=Actor.staff(olivia))
    assert refused.value.code == "not_open"


def test_the_link_expires_with_the_quote(quote, alice, olivia, terms):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    token = _link_token(confirmation)
    with time_machine.travel(timezone.now() + dt.timedelta(days=32)):
        with pytest.raises(ActionError) as refused:
            shown(open_by_link(token))
        assert refused.value.code == "expired"


def test_a_superseded_version_cannot_be_accepted(quote, alice, olivia, terms, make_quote):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    page = shown(confirmation)
    make_quote(quote.order, version=2)  # a revision
    with pytest.raises(ActionError) as refused:
        _accept(confirmation, alice, token=page.token)
    assert refused.value.code == "superseded"


def test_new_terms_published_while_reading_are_shown_first(quote, alice, olivia, terms):
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    page = shown(confirmation)
    publish_terms(quote.seller, title="General terms", body="New wording.", actor=Actor.staff(olivia))
    with pytest.raises(ActionError) as refused:
        _accept(confirmation, alice, token=page.token)
    assert refused.value.code == "terms_changed"
    assert _accept(confirmation, alice).terms_version == 2


def test_progress_is_refused_before_acceptance_then_copies_the_lines(quote, alice, olivia, terms):
    staff = Actor.staff(olivia)
    with pytest.raises(ActionError) as refused:
        progress_quote(quote.order, actor=staff)
    assert refused.value.code == "not_accepted"
    confirmation = send_confirmation(quote, contact=alice, actor=staff)
    with pytest.raises(ActionError) as refused:
        progress_quote(quote.order, actor=staff)
    assert refused.value.code == "not_accepted"
    _accept(confirmation, alice)

    order = progress_quote(quote.order, actor=staff)

    assert order.state == "order_placed"
    assert [(line.description, str(line.quantity)) for line in order.lines.all()] == [
        ("Firewall appliance", "3.000"),
        ("Installation day", "1.500"),
    ]
    assert order.estimated_completion == quote.completion_on
    assert order.events.filter(type=EventType.QUOTE_PROGRESSED).count() == 1
    with pytest.raises(ActionError) as refused:
        progress_quote(order, actor=staff)
    assert refused.value.code in ("already_progressed", "final_state")


def test_the_emails_leave_through_the_outbox_with_the_link_and_the_pdf(
    quote, alice, sam, olivia, terms, mailoutbox
):
    from orderflow.notifications.worker import Worker

    def run_worker() -> None:
        worker = Worker(name="test-worker")
        while worker.run_once():
            pass

    sam.user.email = "sam@acme.example"
    sam.user.save()
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(sam))
    run_worker()
    [request] = [m for m in mailoutbox if m.to == [alice.email]]
    assert links.approval_url(confirmation.pk, confirmation.link_nonce) in request.body
    assert not request.attachments

    _accept(confirmation, alice)
    run_worker()
    copies = {m.to[0]: m for m in mailoutbox[1:]}
    assert set(copies) == {alice.email, "sam@acme.example"}
    for message in copies.values():
        [(_name, content, mimetype)] = message.attachments
        assert mimetype == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        assert "Firewall appliance" in text
        assert "1249" not in text


def test_the_acceptance_goes_to_subscribed_webhooks_with_its_evidence(quote, alice, olivia, terms):
    from orderflow.integrations.actions import create_webhook_endpoint

    create_webhook_endpoint(
        quote.seller,
        url="https://hooks.example.com/crm",
        event_types=["confirmation.accepted"],
        actor=Actor.staff(olivia),
    )
    confirmation = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    assert not Notification.objects.filter(webhook__isnull=False).exists()  # sending is not subscribed

    acceptance = _accept(confirmation, alice)

    [hook] = Notification.objects.filter(webhook__isnull=False)
    assert hook.payload["type"] == "confirmation.accepted"
    evidence = hook.payload["data"]["event"]["data"]
    assert evidence["acceptance"] == acceptance.pk
    assert evidence["terms_sha256"] == terms.sha256
    assert evidence["contact"] == alice.pk
