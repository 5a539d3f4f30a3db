"""Messenger: to the contact's own chat (an Apprise URL), within their delivery hours. Staff have no
messenger address."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from orderflow.notifications.channels.spec import ChannelSpec
from orderflow.notifications.recipients import Recipient


def address(person: Recipient) -> tuple[str, str]:
    url = person.contact.messenger_url if person.contact else ""
    return (url, "") if url else ("", f"{person.name} has no messenger address.")


SPEC = ChannelSpec(
    key="messenger",
    label=_("Messenger"),
    position=30,
    address=address,
    held_by_hours=True,
    leaves_system=True,
    picked_by=frozenset({"contact"}),
    side_by_side=True,
)
