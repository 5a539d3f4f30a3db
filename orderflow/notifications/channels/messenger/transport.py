"""Messenger and chat apps through the contact's own Apprise URL (Telegram, WhatsApp, Slack...)."""

from __future__ import annotations

from orderflow.notifications.channels import Outgoing
from orderflow.notifications.channels.apprise_send import send


class Transport:
    def open(self) -> None:
        pass

    def send(self, item: Outgoing) -> None:
        send(item.delivery.address, item.rendered.short, title=item.rendered.subject)

    def close(self) -> None:
        pass
