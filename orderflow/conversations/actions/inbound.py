"""Replies by email: one RFC 5322 message in (from `manage.py receive_email` or an anymail inbound
webhook), posted to the order's thread as the person its reply address names, at most once.

What is refused or ignored, each recorded (`InboundEmail`, code and reason) and logged, never posted:
a mail too large, an auto-reply or a bounce, a Message-ID already seen, no reply address, a forged,
expired, withdrawn or foreign address (the sender must be the person it was given to), an order that
is closed or cancelled, a reply with nothing but quoted text, a file the attachment rules refuse.

The reply's text is the newest part only: quoted history and signatures are cut by mail-parser-reply;
an HTML-only mail is read as text (scripts and styles dropped, never stored as HTML). Whether the
sender really sent it (SPF, DKIM) is the receiving mail server's check, before it pipes the mail here."""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from mailparser_reply import EmailReplyParser

from orderflow.conversations.actions.messages import MAX_BODY, customer_may_write, post_message
from orderflow.conversations.models import InboundEmail, InboundOutcome, Message
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications import replies
from orderflow.notifications.models import ReplyGrant

logger = logging.getLogger(__name__)

_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_QUOTE_LINE = re.compile(r"^\s*>.*$", re.MULTILINE)


@dataclass(frozen=True)
class Received:
    """What became of one inbound mail: `outcome` posted, refused or ignored, with a code."""

    outcome: str
    code: str
    reason: str
    message: Message | None = None


class _Refused(Exception):
    def __init__(self, outcome: str, code: str, reason: str) -> None:
        super().__init__(reason)
        self.outcome, self.code, self.reason = outcome, code, reason


def receive_email(raw: bytes, *, via: str, recipients: tuple[str, ...] = ()) -> Received:
    """Read one mail (its bytes as received) and post its reply. `recipients` are the envelope's (an MTA
    pipe or a provider may know the address it was delivered to better than the headers do)."""
    mail_id = ""
    record: dict[str, object] = {"received_via": via[:40], "size": len(raw)}
    try:
        if len(raw) > settings.INBOUND_EMAIL_MAX_BYTES:
            mail_id = "sha256:" + hashlib.sha256(raw).hexdigest()
            raise _Refused(
                InboundOutcome.REFUSED,
                "too_large",
                _("The email is larger than %(limit)s MB.")
                % {"limit": round(settings.INBOUND_EMAIL_MAX_BYTES / 1_048_576, 1)},
            )
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        mail_id = (str(mail.get("Message-ID", "")).strip() or "sha256:" + hashlib.sha256(raw).hexdigest())[
            :300
        ]
        record.update(
            sender=parseaddr(str(mail.get("From", "")))[1][:300],
            subject=" ".join(str(mail.get("Subject", "")).split())[:300],
        )
        if InboundEmail.objects.filter(mail_id=mail_id).exists():
            raise _Refused(InboundOutcome.IGNORED, "duplicate", _("This email was already received."))
        _refuse_automatic(mail)
        addresses = [*recipients, *_addresses(mail, "Delivered-To", "X-Original-To", "To", "Cc")]
        token = replies.token_in(addresses)
        record["recipient"] = next((a for a in addresses if token and token in a.lower()), "")[:300]
        if not token:
            raise _Refused(
                InboundOutcome.REFUSED, "no_token", _("The email was not sent to a reply address.")
            )
        try:
            grant = replies.resolve(token)
        except replies.BadReply as exc:
            raise _Refused(InboundOutcome.REFUSED, exc.code, exc.message) from None
        record.update(seller=grant.order.seller, order=grant.order)
        actor = _author(grant, str(record.get("sender", "")))
        order = grant.order
        if not customer_may_write(order):
            raise _Refused(
                InboundOutcome.REFUSED,
                "closed",
                _("The order is closed or cancelled: the reply was not posted."),
            )
        body = reply_text(mail)
        if not body:
            raise _Refused(InboundOutcome.REFUSED, "empty", _("The email holds no reply, only quoted text."))
        files = _attachments(mail)
        with transaction.atomic():
            # The row first: a second delivery of the same mail, even at the same moment, stops here.
            logged = InboundEmail.objects.create(
                mail_id=mail_id,
                outcome=InboundOutcome.POSTED,
                received_at=timezone.now(),
                **record,
            )
            message = post_message(order, body=body[:MAX_BODY], files=files, actor=actor, via="email")
            InboundEmail.objects.filter(pk=logged.pk).update(posted=message)
        logger.info("Reply %s posted to order %s as message %s", mail_id, order.pk, message.pk)
        return Received(InboundOutcome.POSTED, "posted", "", message)
    except _Refused as refusal:
        return _record(mail_id, record, refusal.outcome, refusal.code, refusal.reason)
    except ActionError as exc:
        return _record(mail_id, record, InboundOutcome.REFUSED, exc.code, exc.message)
    except IntegrityError:
        # Another process took this Message-ID between our check and our insert: it is theirs.
        return _record("", record, InboundOutcome.IGNORED, "duplicate", _("This email was already received."))


def _record(mail_id: str, record: dict[str, object], outcome: str, code: str, reason: str) -> Received:
    logger.warning("Inbound email %s %s (%s): %s", mail_id or "?", outcome, code, reason)
    if mail_id and code != "duplicate":
        try:
            with transaction.atomic():
                InboundEmail.objects.create(
                    mail_id=mail_id,
                    outcome=outcome,
                    code=code,
                    reason=reason,
                    received_at=timezone.now(),
                    **record,
                )
        except IntegrityError:
            pass  # the same mail refused twice: once in the log is enough
    return Received(outcome, code, reason)


def _addresses(mail: EmailMessage, *headers: str) -> list[str]:
    found: list[str] = []
    for header in headers:
        found.extend(address for _name, address in getaddresses([str(v) for v in mail.get_all(header, [])]))
    return found


def _refuse_automatic(mail: EmailMessage) -> None:
    """Auto-replies, out-of-office answers and bounces are never posted (they would loop)."""
    auto = str(mail.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(mail.get("Precedence", "")).strip().lower()
    sender = parseaddr(str(mail.get("From", "")))[1].lower()
    return_path = str(mail.get("Return-Path", "")).strip()
    if (
        auto not in ("", "no")
        or precedence in _BULK_PRECEDENCE
        or mail.get("X-Autoreply") is not None
        or mail.get("X-Autorespond") is not None
        or mail.get_content_type() == "multipart/report"
        or return_path == "<>"
        or sender.startswith(("mailer-daemon@", "postmaster@"))
    ):
        raise _Refused(InboundOutcome.IGNORED, "auto_reply", _("An automatic reply or a bounce: not posted."))


def _author(grant: ReplyGrant, sender: str) -> Actor:
    """Who the address was given to, if they are who sent the mail."""
    sender = sender.strip().lower()
    if grant.contact is not None:
        expected, actor = grant.contact.email, Actor.customer(grant.contact)
    else:
        assert grant.membership is not None
        expected, actor = grant.membership.user.email, Actor.staff(grant.membership)
    if not sender or not expected or sender != expected.strip().lower():
        raise _Refused(
            InboundOutcome.REFUSED,
            "sender_mismatch",
            _("The email came from another address than the one this reply address was given to."),
        )
    return actor


class _HtmlText(HTMLParser):
    """HTML as text: scripts, styles and the head dropped; blocks end lines."""

    _SKIP = {"script", "style", "head", "title"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quoted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        if tag == "blockquote":
            self.quoted += 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1
        if tag == "blockquote" and self.quoted:
            self.quoted -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping and not self.quoted:  # a quoted earlier message is history, not the reply
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts))


def reply_text(mail: EmailMessage) -> str:
    """The newest part of the mail's text: without the quoted history, the signature or an HTML body's
    markup. Empty when nothing is left."""
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    assert isinstance(part, EmailMessage)
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        return ""
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    content = content.replace("\r\n", "\n")
    parsed = EmailReplyParser(languages=["en", "fr", "de", "es"]).read(content)
    text = parsed.replies[0].body if parsed.replies else content
    text = _QUOTE_LINE.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _attachments(mail: EmailMessage) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    for part in mail.iter_attachments():
        assert isinstance(part, EmailMessage)
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            files.append((part.get_filename() or "attachment", payload))
    return files
