"""The sandbox keeps what would have gone out by email, SMS or messenger, for people to read in the app."""

from __future__ import annotations

from django.utils import timezone

from orderflow.notifications.channels import Outgoing
from orderflow.notifications.models import Channel, SandboxMessage


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
                headers={"Message-ID": delivery.message_id, **rendered.headers} if long_form else {},
                created_at=timezone.now(),
            ),
        )

    def close(self) -> None:
        pass
