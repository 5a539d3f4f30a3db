"""SMS: to the contact's (or staff member's) phone, within their delivery hours, through the seller's SMS
service."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from orderflow.notifications.channels.spec import ChannelSpec
from orderflow.notifications.recipients import Recipient


def address(person: Recipient) -> tuple[str, str]:
    contact, membership = person.contact, person.membership
    phone = contact.phone if contact else membership.phone if membership else ""
    return (phone, "") if phone else ("", f"{person.name} has no phone number for SMS.")


SPEC = ChannelSpec(
    key="sms",
    label=_("SMS"),
    position=20,
    address=address,
    held_by_hours=True,
    leaves_system=True,
    picked_by=frozenset({"staff", "contact"}),
    side_by_side=True,
)
