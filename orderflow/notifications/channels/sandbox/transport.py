"""The sandbox keeps what would have gone out by email, SMS or messenger, for people to read in the app."""

from __future__ import annotations

from django.utils import timezone

from orderflow.notifications.channels import Outgoing
from orderflow.notifications.models import Channel, NotificationSettings, SandboxMessage


class Transport:
    def open(self) -> None:
        pass

    def send(self, item: Outgoing) -> None:
        delivery, rendered = item.delivery, item.rendered
        long_form = delivery.channel == Channel.EMAIL
        SandboxMessage.objects.get_or_create(
            delivery=delivery,
            defaults=dict(
                seller_id=delivery.notification.seller_id,
                channel=delivery.channel,
                to=delivery.address,
                subject=rendered.subject if long_form else "",
                body=rendered.text if long_form else rendered.short,
                html=rendered.html if long_form else "",
                headers=_headers(item),
                created_at=timezone.now(),
            ),
        )

    def close(self) -> None:
        pass


def _headers(item: Outgoing) -> dict[str, str]:
    """An email's headers; an SMS's sending number (the seller's one number, as the real SMS would
    show it: "not set" when the seller has none yet)."""
    delivery = item.delivery
    if delivery.channel == Channel.EMAIL:
        headers = {"Message-ID": delivery.message_id, **item.rendered.headers}
        if item.rendered.attachments:
            # The files themselves are made again from what the message names (see render).
            headers["Attachments"] = ", ".join(
                f"{name} ({mimetype}, {len(content)} bytes)"
                for name, content, mimetype in item.rendered.attachments
            )
        return headers
    if delivery.channel == Channel.SMS:
        try:
            sender = delivery.notification.seller.notification_settings.sms_sender
        except NotificationSettings.DoesNotExist:
            sender = ""
        return {"From": sender or "(not set: notification settings)"}
    return {}
