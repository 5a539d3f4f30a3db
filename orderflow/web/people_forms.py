"""Forms for the participants and leads of an order (the workspace; the portal reuses PersonForm).

They read the shape of the input only; the leads actions judge the values (email or phone, valid
email and phone, duplicates) and name the field when they refuse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Membership
from orderflow.leads.actions import Outcome
from orderflow.leads.rules import TEXT_LIMITS
from orderflow.web.forms import StaffChoiceField


def _text(label: Any, field: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=TEXT_LIMITS[field], required=False, **kwargs)


class PersonForm(forms.Form):
    first_name = _text(_("First name"), "first_name")
    last_name = _text(_("Last name"), "last_name")
    email = _text(_("Email"), "email", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    phone = _text(
        _("Phone"),
        "phone",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_(
            "An email or a phone number is required. A number without its country code is read as local."
        ),
    )
    company = _text(_("Company"), "company")
    job_title = _text(_("Job title"), "job_title")
    source = _text(_("Source"), "source")
    notes = _text(_("Notes"), "notes", widget=forms.Textarea(attrs={"rows": 2}))

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.fields if name in TEXT_LIMITS}


class LeadForm(PersonForm):
    confirm_opt_in = forms.BooleanField(
        label=_("Confirmation required"),
        required=False,
        help_text=_("Send an email asking the lead to agree to be contacted."),
    )


class EditPersonForm(PersonForm):
    do_not_contact = forms.BooleanField(label=_("Do not contact"), required=False)


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did the call go?"),
        choices=[
            (Outcome.QUALIFIED, _("Reached: details filled in")),
            (Outcome.DO_NOT_CONTACT, _("Do not contact")),
            (Outcome.NO_ANSWER, _("No answer: call again")),
        ],
        widget=forms.RadioSelect,
    )
    email = _text(_("Email"), "email", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    first_name = _text(_("First name"), "first_name")
    last_name = _text(_("Last name"), "last_name")
    company = _text(_("Company"), "company")
    job_title = _text(_("Job title"), "job_title")
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    def values(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name]
            for name in ("email", "first_name", "last_name", "company", "job_title")
        }


class RecipientForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), required=False, max_length=254)
    membership = StaffChoiceField(
        label=_("or a staff member"), queryset=Membership.objects.none(), required=False
    )

    def __init__(self, *args: Any, seller_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Membership.objects.filter(seller_id=seller_id, is_active=True).select_related("user")
