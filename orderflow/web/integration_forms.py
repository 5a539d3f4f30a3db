"""Input shapes of the integrations page: a new API token and a new webhook endpoint.

Forms check types and sizes; `orderflow.integrations.actions` decides what is allowed (who may, which URLs
and event types)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orderflow.integrations.models import WEBHOOK_EVENTS, ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. 'ERP sync'."),
    )
    scope = forms.ChoiceField(label=_("Access"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Endpoint URL"),
        max_length=1000,
        help_text=_("https://… where your system receives the events, signed per Standard Webhooks."),
        widget=forms.URLInput(attrs={"placeholder": "https://erp.example.com/hooks/orderflow"}),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=lambda: [(key, gettext(label)) for key, label in WEBHOOK_EVENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event, including ones added later."),
    )
