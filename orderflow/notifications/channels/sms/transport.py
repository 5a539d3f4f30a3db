"""SMS through the seller's Apprise URL, with {to} for the number: every SMS comes from one number."""

from __future__ import annotations

from orderflow.notifications.channels import Outgoing, TransportError
from orderflow.notifications.channels.apprise_send import send
from orderflow.notifications.models import NotificationSettings


class Transport:
    def open(self) -> None:
        pass

    def send(self, item: Outgoing) -> None:
        seller = item.delivery.notification.seller
        try:
            template = seller.notification_settings.sms_url  # the worker's claim loads it with the seller
        except NotificationSettings.DoesNotExist:
            template = ""
        if not template:
            raise TransportError(
                "No SMS service is set up for this seller (notification settings).", permanent=True
            )
        if "{to}" not in template:
            raise TransportError(
                "The SMS service URL must contain {to} where the number goes.", permanent=True
            )
        send(template.replace("{to}", item.delivery.address), item.rendered.short)

    def close(self) -> None:
        pass
