"""A customer who prefers a call: a task for the order's assignee (or any staff) with the script."""

from __future__ import annotations

from django.utils import timezone

from orderflow.notifications.channels import Outgoing
from orderflow.notifications.models import CallTask


class Transport:
    def open(self) -> None:
        pass

    def send(self, item: Outgoing) -> None:
        notification = item.delivery.notification
        order = notification.order
        who = f"Call {notification.recipient_name} on {item.delivery.address}"
        script = f"{who} and tell them:\n\n{item.rendered.body or item.rendered.text}"
        CallTask.objects.get_or_create(
            delivery=item.delivery,
            defaults=dict(
                seller_id=notification.seller_id,
                order=order,
                contact_id=notification.contact_id,
                phone=item.delivery.address,
                assignee_id=order.assignee_id if order else None,
                script=script,
                created_at=timezone.now(),
            ),
        )

    def close(self) -> None:
        pass
