"""Replies by email: the reply address in every message email, the whole thread in it, and mail fed to
`receive_email` (or an anymail webhook) landing once in the right thread."""

from __future__ import annotations

import io
import sys
from email.message import EmailMessage

import pytest
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, inbound
from django.core.management import call_command

from orderflow.conversations.actions import post_message, receive_email
from orderflow.conversations.models import InboundEmail, Message
from orderflow.conversations.tests import files
from orderflow.core.actors import Actor
from orderflow.notifications import links
from orderflow.notifications.models import Notification
from orderflow.notifications.render import render


@pytest.fixture(autouse=True)
def _replies_on(settings):
    settings.INBOUND_EMAIL_DOMAIN = "reply.acme.example"


def message_email(order, contact=None, membership=None):
    """The latest message email to this person, rendered as the worker would."""
    found = Notification.objects.filter(order=order, template="new_message", skipped=False)
    found = found.filter(contact=contact) if contact else found.filter(membership=membership)
    return render(found.latest("id"))


def reply(
    to, *, sender="alice@cornerbar.example", text=None, html=None, message_id="<r1@mail.example>", **headers
):
    mail = EmailMessage()
    mail["From"] = f"Alice <{sender}>"
    mail["To"] = to
    mail["Subject"] = "Re: New message about your order"
    mail["Message-ID"] = message_id
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    if text is not None:
        mail.set_content(text)
    if html is not None:
        if text is None:
            mail.set_content(html, subtype="html")
        else:
            mail.add_alternative(html, subtype="html")
    return mail


QUOTED = (
    "Yes, lemonade is fine.\n\nThanks,\n--\nAlice Martin\nCorner Bar\n\n"
    "On Mon, 3 Nov 2025 at 10:00, Acme Supplies <orders@acme.example> wrote:\n"
    "> Cola is out of stock, we can send lemonade.\n> Reply: http://example/t/x/\n"
)


def feed(raw: bytes, monkeypatch, capsys) -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("receive_email")
    return capsys.readouterr().out


def test_a_reply_fed_to_receive_email_lands_once_without_the_quoted_part(
    make_order, alice, sam, monkeypatch, capsys
):
    # Given a message email to Alice, with her own reply address and threading headers
    order = make_order("distributor")
    post_message(order, body="Cola is out of stock, we can send lemonade.", actor=Actor.staff(sam))
    headers = message_email(order, contact=alice).headers
    assert headers["Reply-To"].startswith("reply+")
    assert headers["Reply-To"].endswith("@reply.acme.example")
    assert headers["References"] == headers["In-Reply-To"] == f"<order-{order.pk}@orderflow.invalid>"

    # When she answers it, and the mail server hands the same mail over twice
    raw = reply(headers["Reply-To"], text=QUOTED).as_bytes()
    first = feed(raw, monkeypatch, capsys)
    second = feed(raw, monkeypatch, capsys)

    # Then her reply is in the thread once, as hers, without the quote or her signature
    posted = Message.objects.get(order=order, author_contact=alice)
    assert posted.body == "Yes, lemonade is fine."
    assert first.startswith("posted")
    assert "duplicate" in second
    assert Message.objects.filter(order=order).count() == 2
    assert InboundEmail.objects.get().posted == posted
    assert order.events.filter(data__via="email").count() == 1


def test_a_staff_member_replies_by_email_too(make_order, alice, sam, olivia):
    order = make_order("distributor")
    post_message(order, body="Can you add two crates?", actor=Actor.customer(alice))
    address = message_email(order, membership=sam).headers["Reply-To"]
    sam.user.email = "sam@acme.example"
    sam.user.save()

    received = receive_email(reply(address, sender="sam@acme.example", text="Done.").as_bytes(), via="test")

    assert received.outcome == "posted"
    assert received.message.author_membership == sam


def test_the_reply_keeps_its_files_by_the_attachment_rules(make_order, alice, sam):
    order = make_order("distributor")
    post_message(order, body="Send the list?", actor=Actor.staff(sam))
    address = message_email(order, contact=alice).headers["Reply-To"]
    mail = reply(address, text="Here it is.")
    mail.add_attachment(files.CSV, maintype="text", subtype="csv", filename="../list.csv")
    good = receive_email(mail.as_bytes(), via="test")
    assert [a.name for a in good.message.attachments.all()] == ["list.csv"]

    bad = reply(address, text="And this.", message_id="<r2@mail.example>")
    bad.add_attachment(files.EXE, maintype="application", subtype="pdf", filename="invoice.pdf")
    refused = receive_email(bad.as_bytes(), via="test")
    assert (refused.outcome, refused.code) == ("refused", "file_type_refused")
    assert Message.objects.filter(order=order).count() == 2


@pytest.mark.parametrize(
    "case",
    [
        "forged",
        "no_token",
        "sender_mismatch",
        "revoked",
        "closed",
        "auto_reply",
        "bounce",
        "only_quoted",
        "huge",
    ],
)
def test_bad_replies_are_refused_or_ignored_with_a_reason(make_order, alice, sam, olivia, settings, case):
    order = make_order("distributor")
    post_message(order, body="Cola is out of stock.", actor=Actor.staff(sam))
    address = message_email(order, contact=alice).headers["Reply-To"]
    mail, expected = reply(address, text="Fine."), ("refused", case)
    if case == "forged":
        mail.replace_header("To", "reply+" + "a" * 26 + "@reply.acme.example")
        expected = ("refused", "invalid_token")
    elif case == "no_token":
        mail.replace_header("To", "orders@acme.example")
    elif case == "sender_mismatch":
        mail.replace_header("From", "eve@evil.example")
    elif case == "revoked":
        links.revoke(by_id=olivia.pk, order_id=order.pk)
    elif case == "closed":
        from orderflow.orders.actions import cancel_order

        cancel_order(order, actor=Actor.staff(olivia), reason="Customer asked")
    elif case == "auto_reply":
        mail["Auto-Submitted"] = "auto-replied"
        expected = ("ignored", "auto_reply")
    elif case == "bounce":
        mail.replace_header("From", "MAILER-DAEMON@mail.example")
        expected = ("ignored", "auto_reply")
    elif case == "only_quoted":
        mail = reply(address, text="On Mon, Acme wrote:\n> Cola is out of stock.\n")
        expected = ("refused", "empty")
    elif case == "huge":
        mail = reply(address, text="x" * (20 * 1024 * 1024))
        expected = ("refused", "too_large")

    received = receive_email(mail.as_bytes(), via="test")

    assert (received.outcome, received.code) == expected
    assert not Message.objects.filter(order=order, author_contact=alice).exists()
    assert InboundEmail.objects.get().code == expected[1]


def test_an_html_only_reply_is_read_as_text_without_its_scripts(make_order, alice, sam):
    order = make_order("distributor")
    post_message(order, body="Which day?", actor=Actor.staff(sam))
    address = message_email(order, contact=alice).headers["Reply-To"]
    html = (
        "<html><head><style>p{}</style></head><body><p>Tuesday <b>morning</b>.</p>"
        "<script>alert('x')</script><blockquote>Which day?</blockquote></body></html>"
    )

    received = receive_email(reply(address, html=html).as_bytes(), via="test")

    assert received.message.body == "Tuesday morning."


def test_an_anymail_inbound_webhook_posts_through_the_same_action(make_order, alice, sam):
    order = make_order("distributor")
    post_message(order, body="Which day?", actor=Actor.staff(sam))
    address = message_email(order, contact=alice).headers["Reply-To"]
    message = AnymailInboundMessage.parse_raw_mime_bytes(reply(address, text="Friday.").as_bytes())

    inbound.send(
        sender=object, event=AnymailInboundEvent(event_type="inbound", message=message), esp_name="Postmark"
    )

    assert Message.objects.get(order=order, author_contact=alice).body == "Friday."


def test_every_message_email_carries_the_thread_newest_first_without_notes_for_customers(
    make_order, alice, sam
):
    order = make_order("distributor")
    post_message(order, body="First question", actor=Actor.customer(alice))
    post_message(order, body="They owe us for March", actor=Actor.staff(sam), internal=True)
    post_message(order, body="Second answer", files=[("terms.pdf", files.PDF)], actor=Actor.staff(sam))
    post_message(order, body="Third, the newest", actor=Actor.staff(sam))

    to_alice = message_email(order, contact=alice)

    text = to_alice.text
    assert text.index("Third, the newest") < text.index("Second answer") < text.index("First question")
    assert "owe us" not in text
    assert "owe us" not in to_alice.html
    assert "terms.pdf" in text
    assert "/files/" in text
    post_message(order, body="Fourth, from Alice", actor=Actor.customer(alice))
    to_sam = message_email(order, membership=sam).text
    assert "They owe us for March" in to_sam  # staff read their own notes in the thread


def test_a_long_thread_is_cut_with_a_link_to_the_rest(make_order, alice, sam):
    order = make_order("distributor")
    for n in range(14):
        post_message(order, body=f"Message number {n}", actor=Actor.staff(sam))

    text = message_email(order, contact=alice).text

    assert "Message number 13" in text
    assert "Message number 3" in text
    assert "Message number 2\n" not in text
    assert "(3)" in text  # three older messages, on the order's page
