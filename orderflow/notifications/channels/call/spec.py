"""A phone call: a task for the seller's staff to call the customer, made within the customer's delivery
hours. Only customers are called; staff cannot choose it for themselves."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from orderflow.notifications.channels.spec import ChannelSpec
from orderflow.notifications.recipients import Recipient


def address(person: Recipient) -> tuple[str, str]:
    contact = person.contact
    if contact is None:
        return "", "call tasks are for calling customers."
    return (contact.phone, "") if contact.phone else ("", f"{person.name} has no phone number to call.")


SPEC = ChannelSpec(
    key="call",
    label=_("Phone call"),
    position=50,
    address=address,
    held_by_hours=True,
    picked_by=frozenset({"contact"}),
)
