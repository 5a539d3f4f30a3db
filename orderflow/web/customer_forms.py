"""Input shapes of the customers pages: the list's search, a customer, a contact. Forms check types and
sizes; the customer and contact actions decide what is allowed (a domain or an email address another
customer or contact has, a public mail service, a contact nobody can reach)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import LOCALES, Contact, Customer, phone_validator, validate_time_zone
from orderflow.core.errors import ActionError
from orderflow.notifications import windows
from orderflow.notifications.channels import registry
from orderflow.web.notification_forms import _day_fields, _day_rows, _schedule_initial


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search customers"), required=False, max_length=100)


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    reference = forms.CharField(
        label=_("Account number"), required=False, max_length=60, help_text=_("Your number for them.")
    )
    kind = forms.CharField(
        label=_("Kind"), required=False, max_length=40, help_text=_("e.g. bar, partner, household")
    )
    email_domains = forms.CharField(
        label=_("Email domains"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One per line, e.g. cornerbar.example: requests from these domains are this customer's. "
            "Not public mail services such as gmail.com."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For staff only; never shown to the customer."),
    )

    def __init__(self, data: Any = None, *, customer: Customer | None = None) -> None:
        initial = {}
        if customer is not None:
            initial = {
                "name": customer.name,
                "reference": customer.reference,
                "kind": customer.kind,
                "email_domains": "\n".join(customer.domain_names),
                "notes": customer.notes,
            }
        super().__init__(data, initial=initial)

    def values(self) -> dict[str, Any]:
        """Keyword arguments for `create_customer` / `update_customer`."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "reference": data["reference"],
            "kind": data["kind"],
            "email_domains": data["email_domains"].replace(",", "\n").split(),
            "notes": data["notes"],
        }


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        validators=[phone_validator],
        help_text=_("International form, e.g. +14155550123."),
    )
    locale = forms.ChoiceField(label=_("Language"), choices=LOCALES)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("e.g. America/Toronto or Europe/Paris."),
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    preferred_channels = forms.MultipleChoiceField(
        label=_("Preferred channels"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: registry.choices_for("contact"),
        help_text=_("How they are told about their orders; none: email, else SMS."),
    )
    messenger_url = forms.CharField(
        label=_("Messenger chat (Apprise URL)"),
        required=False,
        max_length=500,
        help_text=_("For the messenger channel, e.g. tgram://token/chat."),
    )
    hours = forms.ChoiceField(
        label=_("Delivery hours"),
        widget=forms.RadioSelect,
        choices=[("seller", _("The seller's hours")), ("own", _("Their own hours, below"))],
    )

    def __init__(self, data: Any = None, *, contact: Contact | None = None, seller_hours: windows.Schedule):
        own = None
        if contact is not None:
            own = getattr(getattr(contact, "schedule", None), "schedule", None)
            initial: dict[str, Any] = {
                field: getattr(contact, field)
                for field in ("name", "email", "phone", "locale", "time_zone", "messenger_url")
            } | {"preferred_channels": list(contact.preferred_channels)}
        else:
            initial = {"preferred_channels": ["email"], "locale": "en", "time_zone": "UTC"}
        initial |= {"hours": "seller" if own is None else "own", **_schedule_initial(own or seller_hours)}
        super().__init__(data, initial=initial)
        _day_fields(self, _("e.g. 09:00-21:00 or 09:00-12:00, 14:00-20:00; empty: none that day"))

    def day_rows(self) -> list[forms.BoundField]:
        return _day_rows(self)

    def week(self) -> dict[str, str] | None:
        """Text per weekday for `set_schedule` (which parses it), or None for the seller's hours."""
        if self.cleaned_data["hours"] == "seller":
            return None
        return {windows.WEEKDAYS[index]: self.cleaned_data[f"day_{index}"] for index in range(7)}

    def values(self) -> dict[str, Any]:
        """Keyword arguments for `create_contact` / `update_contact`."""
        data = self.cleaned_data
        fields = ("name", "email", "phone", "locale", "time_zone", "preferred_channels", "messenger_url")
        return {field: data[field] for field in fields} | {"hours": self.week()}


def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def add_action_error(form: forms.Form, error: ActionError) -> None:
    """Put an action's refusal on the fields it names (a weekday's hours by its number), else on the
    form as a whole."""
    named = dict(error.details.get("fields") or {})
    if not named and error.details.get("field"):
        named = {str(error.details["field"]): [error.message]}
    placed = False
    for field, messages in named.items():
        name = f"day_{field}" if field.isdigit() else field
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
