"""In-app: an item in the person's inbox; the unread count is the badge."""

from __future__ import annotations

from django.utils import timezone

from orderflow.notifications.channels import Outgoing
from orderflow.notifications.models import InboxItem


class Transport:
    def open(self) -> None:
        pass

    def send(self, item: Outgoing) -> None:
        notification = item.delivery.notification
        InboxItem.objects.get_or_create(
            delivery=item.delivery,
            defaults=dict(
                membership_id=notification.membership_id,
                contact_id=notification.contact_id,
                order_id=notification.order_id,
                subject=item.rendered.subject[:300],
                body=item.rendered.short,
                created_at=timezone.now(),
            ),
        )

    def close(self) -> None:
        pass
