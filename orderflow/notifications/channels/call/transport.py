"""A customer who prefers a call: a task for the order's assignee (or any staff) with the script.

Every staff member reads call scripts: a script carries the staff page of the order, never a link that
acts as the customer, whatever the message's wording embeds. So it is written again for staff rather
than taken from the message the worker wrote for the customer."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orderflow.accounts.models import Seller
from orderflow.notifications.channels import Outgoing
from orderflow.notifications.models import CallTask
from orderflow.notifications.render import render
from orderflow.orders.models import Order


class Transport:
    def open(self) -> None:
        pass

    def send(self, item: Outgoing) -> None:
        notification = item.delivery.notification
        # The assignee as it is now; the worker's claim does not load the order itself.
        assignee_id = (
            Order.objects.filter(pk=notification.order_id).values_list("assignee_id", flat=True).first()
            if notification.order_id is not None
            else None
        )
        for_staff = render(notification, customer_links=False)
        # Staff read the instruction (in the seller's language); the customer hears the message (in theirs).
        seller_language = (
            Seller.objects.filter(pk=notification.seller_id).values_list("locale", flat=True).first()
        )
        with translation.override(seller_language or "en"):
            who = _("Call %(name)s on %(phone)s and tell them:") % {
                "name": notification.recipient_name,
                "phone": item.delivery.address,
            }
        script = f"{who}\n\n{for_staff.body or for_staff.text}"
        CallTask.objects.get_or_create(
            delivery=item.delivery,
            defaults=dict(
                seller_id=notification.seller_id,
                order_id=notification.order_id,
                contact_id=notification.contact_id,
                phone=item.delivery.address,
                assignee_id=assignee_id,
                script=script,
                created_at=timezone.now(),
            ),
        )

    def close(self) -> None:
        pass
