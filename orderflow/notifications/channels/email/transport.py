"""Email through Django's configured backend (SMTP from EMAIL_URL, or an anymail provider), one
connection per batch, kept for the next batch while the worker is busy; the Message-ID comes from the
delivery so a receiver can drop a duplicate."""

from __future__ import annotations

import contextlib
import smtplib
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from orderflow.accounts.models import Seller
from orderflow.notifications.channels import Outgoing, TransportError


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def senders(seller: Seller) -> tuple[str, str]:
    """(From, Reply-To) addresses of the seller's mail. The From is the seller's own only on a domain
    the platform's operator verified for them (checked at each send: a domain may be withdrawn), else
    the platform's DEFAULT_FROM_EMAIL; replies then go to the seller's Reply-To, or to the From they
    chose if they set none. No Reply-To ("") when replies should go to the From."""
    found = getattr(seller, "notification_settings", None)
    chosen = found.email_from if found is not None else ""
    reply_to = found.reply_to if found is not None else ""
    if chosen and seller.may_send_from(chosen):
        return chosen, reply_to
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1], reply_to or chosen


class Transport:
    def __init__(self) -> None:
        self.connection = get_connection()
        self.opened = False
        # Once the server cannot be reached, the rest of the batch fails at once with the same reason
        # instead of each message waiting for its own connection timeout.
        self.unreachable = ""

    def open(self) -> None:
        """Start a batch. The connection opens on the first send, so a batch with nothing to send opens
        nothing; one kept from the last batch is checked first, since the server may have dropped it."""
        self.unreachable = ""
        if self.opened and not self._alive():
            self._reset()

    def _alive(self) -> bool:
        smtp = getattr(self.connection, "connection", None)  # the SMTP backend's smtplib.SMTP
        if smtp is None:
            return True  # another backend (a provider's API, the console): nothing to check
        try:
            return bool(smtp.noop()[0] == 250)
        except (smtplib.SMTPException, OSError):
            return False

    def _ensure_open(self) -> None:
        if self.unreachable:
            raise TransportError(self.unreachable, permanent=False)
        if not self.opened:
            try:
                self.connection.open()
            except (smtplib.SMTPException, OSError) as exc:
                self.unreachable = f"The mail server could not be reached: {exc or type(exc).__name__}"
                raise TransportError(self.unreachable, permanent=False) from None
            self.opened = True

    def send(self, item: Outgoing) -> None:
        delivery, rendered = item.delivery, item.rendered
        notification = delivery.notification
        seller = notification.seller
        sender, reply_to = senders(seller)
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.text,
            from_email=formataddr((seller.name, sender)),
            to=[delivery.address],
            reply_to=[reply_to] if reply_to else None,
            headers={"Message-ID": delivery.message_id, **rendered.headers},
            connection=self.connection,
        )
        message.attach_alternative(rendered.html, "text/html")
        for name, content, mimetype in rendered.attachments:
            message.attach(name, content, mimetype)
        self._ensure_open()
        try:
            accepted = message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            # smtplib reset the session; the connection stays usable for the rest of the batch.
            answers = list(exc.recipients.values())
            codes = " ".join(f"{code} {_text(text)}" for code, text in answers)
            # 4xx (mailbox busy, greylisting) is worth another try; 5xx is final.
            permanent = all(code >= 500 for code, _ in answers)
            raise TransportError(
                f"The mail server refused {delivery.address}: {codes}", permanent=permanent
            ) from None
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise TransportError(
                f"The mail server answered {exc.smtp_code} {_text(exc.smtp_error)}",
                permanent=exc.smtp_code >= 500,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._reset()
            raise TransportError(f"Sending failed: {exc or type(exc).__name__}", permanent=False) from None
        except ValueError as exc:  # an address Django cannot put in a header (raised before any I/O)
            raise TransportError(
                f"{delivery.address!r} is not a usable address: {exc}", permanent=True
            ) from None
        if not accepted:
            raise TransportError(f"The message to {delivery.address!r} had nobody to go to.", permanent=True)

    def _reset(self) -> None:
        # The connection is already broken; closing it can only fail in ways that tell us nothing more.
        with contextlib.suppress(Exception):
            self.connection.close()
        self.opened = False

    def close(self) -> None:
        if self.opened:
            self._reset()
