"""Replies by email through a provider: django-anymail's inbound webhooks
(/anymail/<provider>/inbound/, e.g. /anymail/postmark/inbound/, protected by ANYMAIL_WEBHOOK_SECRET as
HTTP basic auth, or by the provider's signing key) send the `inbound` signal; each mail is handed to the
same action as `manage.py receive_email`."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailInboundEvent

from orderflow.conversations.actions import receive_email


def on_inbound(sender: Any, event: AnymailInboundEvent, esp_name: str, **kwargs: Any) -> None:
    message = event.message
    if message is None:
        return
    recipient = getattr(message, "envelope_recipient", None)
    receive_email(
        message.as_bytes(),
        via=f"anymail:{esp_name}"[:40],
        recipients=(recipient,) if recipient else (),
    )
