"""In-app: an item in the person's inbox, for anyone who can sign in. Never held: it waits there anyway."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from orderflow.notifications.channels.spec import ChannelSpec
from orderflow.notifications.recipients import Recipient


def address(person: Recipient) -> tuple[str, str]:
    contact = person.contact
    if person.membership is not None or (contact is not None and contact.user_id):
        return person.key, ""
    return "", f"{person.name} has no login to see in-app notifications."


SPEC = ChannelSpec(
    key="in_app",
    label=_("In-app"),
    position=40,
    address=address,
    picked_by=frozenset({"staff", "contact"}),
    needs_login=True,
)
