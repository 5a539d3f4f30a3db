"""Input shapes of the notification pages: the outbox filters, inbox and call-task buttons, the seller's
notification settings, rules and message templates, and a staff member's own preferences.

Forms check types and sizes; the notification actions decide what is allowed (who may change what,
mandatory categories, which placeholders a template may use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import dates
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import sender_domains
from orderflow.notifications import windows
from orderflow.notifications.channels import registry
from orderflow.notifications.models import NotificationRule, NotificationSettings, Status
from orderflow.notifications.selectors import OutboxFilters, PreferenceRow

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class OutboxFilterForm(forms.Form):
    """The outbox's GET filters. Invalid values are reported and ignored, never fatal."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=lambda: [("", _("Any channel")), *registry.choices()]
    )
    order = forms.IntegerField(label=_("Order number"), required=False, min_value=1, max_value=10**9)

    def filters(self) -> OutboxFilters:
        """The filters from the valid fields (call after `is_valid()`); invalid ones are left out."""
        data = self.cleaned_data
        return OutboxFilters(
            status=data.get("status") or "", channel=data.get("channel") or "", order_number=data.get("order")
        )


class InboxReadForm(forms.Form):
    """Mark one item read (`item`), or every unread one (`all`)."""

    item = forms.IntegerField(required=False, min_value=1)
    all = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("all") and not data.get("item"):
            raise forms.ValidationError(_("Choose a message to mark as read."))
        return data


class CallDoneForm(forms.Form):
    outcome = forms.CharField(
        label=_("How did the call go?"),
        required=False,  # the action says what an empty outcome lacks
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data: Any = None, *, task_id: int) -> None:
        super().__init__(data, auto_id=f"id_call{task_id}_%s")


def _day_fields(form: forms.Form, help_text: StrOrPromise) -> None:
    for index in range(7):
        form.fields[f"day_{index}"] = forms.CharField(
            label=dates.WEEKDAYS[index],
            required=False,
            max_length=100,
            help_text=help_text if index == 0 else "",
        )


def _day_rows(form: forms.Form) -> list[forms.BoundField]:
    return [form[f"day_{index}"] for index in range(7)]


def _schedule_initial(schedule: windows.Schedule) -> dict[str, str]:
    return {f"day_{index}": windows.format_spans(schedule.get(str(index), [])) for index in range(7)}


class SellerSettingsForm(forms.Form):
    """The seller's default delivery hours, senders and feedback delay."""

    email_from = forms.EmailField(label=_("Email From address"), required=False)
    reply_to = forms.EmailField(
        label=_("Reply-To address"),
        required=False,
        help_text=_("Where customers' replies to emails go; any address. Empty: the From address."),
    )
    sms_sender = forms.CharField(
        label=_("SMS sender number"),
        required=False,
        max_length=20,
        help_text=_("The one number every SMS comes from."),
    )
    sms_url = forms.CharField(
        label=_("SMS service (Apprise URL)"),
        required=False,
        max_length=500,
        help_text=_("With {to} where the recipient's number goes."),
    )
    feedback_delay_minutes = forms.IntegerField(
        label=_("Ask for feedback after (minutes)"), min_value=0, max_value=60 * 24 * 90
    )
    delivery_change_cutoff_hours = forms.IntegerField(
        label=_("Delivery time can change until (hours before)"),
        min_value=0,
        max_value=24 * 14,
        required=False,
        help_text=_("Customers choose or change a delivery time until this many hours before it."),
    )

    def __init__(self, data: Any = None, *, current: NotificationSettings) -> None:
        initial: dict[str, Any] = {
            "email_from": current.email_from,
            "reply_to": current.reply_to,
            "sms_sender": current.sms_sender,
            "sms_url": current.sms_url,
            "feedback_delay_minutes": current.feedback_delay_minutes,
            "delivery_change_cutoff_hours": current.delivery_change_cutoff_hours,
            **_schedule_initial(current.default_window),
        }
        super().__init__(data, initial=initial, auto_id="id_settings_%s")
        _day_fields(self, _("e.g. 09:00-21:00 or 09:00-12:00, 14:00-20:00; empty: no deliveries that day"))
        domains = sender_domains(current.seller.sender_domains)
        self.fields["email_from"].help_text = (
            _("On a domain verified for you: %(domains)s. Empty: this platform's address.")
            % {"domains": ", ".join(domains)}
            if domains
            else _(
                "No domain is verified for you yet, so mail goes From this platform's address with "
                "your Reply-To; ask the platform's operator to verify yours."
            )
        )

    def day_rows(self) -> list[forms.BoundField]:
        return _day_rows(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index in range(7):
            name = f"day_{index}"
            if name in data:
                try:
                    data[name] = windows.parse_spans(data[name])
                except windows.WindowError as exc:
                    self.add_error(name, str(exc))
        return data

    def values(self) -> dict[str, object]:
        """Keyword arguments for `update_settings`."""
        data = self.cleaned_data
        values: dict[str, object] = {
            "default_window": {str(index): data[f"day_{index}"] for index in range(7)},
            "email_from": data["email_from"],
            "reply_to": data["reply_to"],
            "sms_sender": data["sms_sender"].strip(),
            "sms_url": data["sms_url"].strip(),
            "feedback_delay_minutes": data["feedback_delay_minutes"],
        }
        if data.get("delivery_change_cutoff_hours") is not None:  # left out: unchanged
            values["delivery_change_cutoff_hours"] = data["delivery_change_cutoff_hours"]
        return values


class RuleForm(forms.Form):
    custom_message = forms.CharField(
        label=_("Custom message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Added to the message, e.g. where and when to pick up."),
    )
    upsell = forms.CharField(
        label=_("Offer (upsell)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only for customers who accept offers; comes with a one-click unsubscribe."),
    )
    urgent = forms.BooleanField(label=_("Urgent: ignore delivery hours"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, data: Any = None, *, rule: NotificationRule) -> None:
        initial = {
            "custom_message": rule.custom_message,
            "upsell": rule.upsell,
            "urgent": rule.urgent,
            "is_active": rule.is_active,
        }
        super().__init__(data, initial=initial, auto_id=f"id_rule{rule.pk}_%s")


class TemplateForm(forms.Form):
    """A seller's wording of one message. Empty parts and placeholders are judged by `save_template`."""

    subject = forms.CharField(label=_("Email subject"), required=False, max_length=300)
    body = forms.CharField(
        label=_("Email body"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 12})
    )
    sms = forms.CharField(
        label=_("Short text (SMS, messenger, in-app, call script)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MyPreferencesForm(forms.Form):
    """A staff member's own switch and channels per category, and their delivery hours."""

    HOURS = [("any", _("Any time")), ("own", _("Only during my hours below"))]
    hours = forms.ChoiceField(
        label=_("When may messages reach you?"), choices=HOURS, widget=forms.RadioSelect
    )

    def __init__(
        self,
        data: Any = None,
        *,
        rows: list[PreferenceRow],
        schedule: windows.Schedule | None,
    ) -> None:
        initial: dict[str, Any] = {
            "hours": "any" if schedule is None else "own",
            **_schedule_initial(schedule if schedule is not None else windows.DEFAULT_SCHEDULE),
        }
        super().__init__(data, initial=initial, auto_id="id_me_%s")
        self.rows = rows
        offered = registry.choices_for("staff")
        for row in rows:
            self.fields[f"{row.category}_on"] = forms.BooleanField(
                label=row.label, required=False, disabled=row.mandatory, initial=row.enabled
            )
            self.fields[f"{row.category}_channels"] = forms.MultipleChoiceField(
                label=_("Channels for %(category)s") % {"category": row.label},
                required=False,
                choices=offered,
                widget=forms.CheckboxSelectMultiple,
                initial=[c for c in row.channels if c in dict(offered)],
            )
        _day_fields(self, _("e.g. 08:00-18:00; empty: no messages that day"))

    def category_rows(self) -> list[tuple[PreferenceRow, forms.BoundField, forms.BoundField]]:
        return [(row, self[f"{row.category}_on"], self[f"{row.category}_channels"]) for row in self.rows]

    def day_rows(self) -> list[forms.BoundField]:
        return _day_rows(self)

    def choices(self) -> dict[str, tuple[bool, list[str]]]:
        """Per category for `save_preferences`. Channels left as the defaults showed them are sent as
        none, so they keep following the defaults (e.g. SMS once the member has a phone number)."""
        data = self.cleaned_data
        result = {}
        for row in self.rows:
            channels = list(data[f"{row.category}_channels"])
            if not row.chosen_channels and set(channels) == set(row.channels):
                channels = []
            result[row.category] = (row.mandatory or bool(data[f"{row.category}_on"]), channels)
        return result

    def week(self) -> dict[str, str] | None:
        """Text per weekday for `set_schedule` (which parses it), or None for any time."""
        if self.cleaned_data["hours"] == "any":
            return None
        return {windows.WEEKDAYS[index]: self.cleaned_data[f"day_{index}"] for index in range(7)}
