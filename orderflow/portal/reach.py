"""The question a contact is asked on their first visits until they answer it (004_…: "ask your
customers this question when registering their request"): on which channels to tell them, and at which
hours. Shown above their orders; "Later" hides it for the rest of the session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from orderflow.accounts.models import Contact
from orderflow.accounts.selectors import needs_reach_question
from orderflow.notifications import windows
from orderflow.notifications.channels import registry
from orderflow.notifications.selectors import seller_settings
from orderflow.portal.forms import ReachForm

LATER = "reach_question_later"


def reach_form(contact: Contact, data: Any = None) -> ReachForm:
    hours = seller_settings(contact.customer.seller).default_window
    initial: dict[str, Any] = {
        "channels": list(contact.preferred_channels),
        "use_seller_hours": True,
        **{f"day_{index}": windows.format_spans(hours.get(str(index), [])) for index in range(7)},
    }
    channels = registry.choices_for("contact", signed_in=bool(contact.user_id))
    return ReachForm(data, channels=channels, initial=initial, prefix="reach")


def question_for(request: HttpRequest, contact: Contact) -> ReachForm | None:
    """The form to show, or None: answered already, or put off for this session."""
    if request.session.get(LATER) or not needs_reach_question(contact):
        return None
    return reach_form(contact)
