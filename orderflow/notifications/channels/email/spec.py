"""Email: to the person's address, within their delivery hours; the sandbox keeps it when it is on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from orderflow.notifications.channels.spec import ChannelSpec
from orderflow.notifications.recipients import Recipient


def address(person: Recipient) -> tuple[str, str]:
    return (person.email, "") if person.email else ("", f"{person.name} has no email address.")


SPEC = ChannelSpec(
    key="email",
    label=_("Email"),
    position=10,
    address=address,
    held_by_hours=True,
    leaves_system=True,
    picked_by=frozenset({"staff", "contact"}),
)
