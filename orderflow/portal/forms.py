from __future__ import annotations

from typing import Any

from django import forms
from django.utils import dates
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orderflow.notifications import windows
from orderflow.notifications.models import CUSTOMER_CATEGORIES, MANDATORY
from orderflow.web.forms import FilesField, files_help


def _ratings() -> list[tuple[int, str]]:
    return [(n, ngettext("%(count)d star", "%(count)d stars", n) % {"count": n}) for n in range(5, 0, -1)]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=_ratings, coerce=int, widget=forms.RadioSelect, label=_("Your rating")
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Anything to tell us? (optional)"),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), label=_("Write to the seller")
    )
    attachments = FilesField(label=_("Attach files"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = files_help()


class DeliveryTimeForm(forms.Form):
    slot = forms.ChoiceField(widget=forms.RadioSelect, label=_("Delivery time"))

    def __init__(self, *args: Any, slots: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = slots


class PreferencesForm(forms.Form):
    """One switch and a channel list per category that concerns customers, and the delivery hours per
    weekday."""

    use_seller_hours = forms.BooleanField(required=False, label=_("Use the seller's delivery hours"))

    def __init__(self, *args: Any, channels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = channels
        for category in CUSTOMER_CATEGORIES:
            mandatory = category in MANDATORY
            self.fields[f"{category.value}_on"] = forms.BooleanField(
                required=False,
                label=category.label,
                disabled=mandatory,
                help_text=_("Always on: these messages must reach you.") if mandatory else "",
            )
            self.fields[f"{category.value}_channels"] = forms.MultipleChoiceField(
                required=False, choices=offered, widget=forms.CheckboxSelectMultiple, label=_("Channels")
            )
        for index in range(7):
            self.fields[f"day_{index}"] = forms.CharField(
                required=False,
                label=dates.WEEKDAYS[index],
                max_length=100,
                help_text=_("e.g. 09:00-12:00, 14:00-20:00; empty: none"),
            )

    def category_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"{c.value}_on"], self[f"{c.value}_channels"]) for c in CUSTOMER_CATEGORIES]

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{index}"] for index in range(7)]

    def choices(self) -> dict[str, tuple[bool, list[str]]]:
        data = self.cleaned_data
        return {
            c.value: (c in MANDATORY or bool(data[f"{c.value}_on"]), list(data[f"{c.value}_channels"]))
            for c in CUSTOMER_CATEGORIES
        }

    def week(self) -> dict[str, str] | None:
        if self.cleaned_data["use_seller_hours"]:
            return None
        return {windows.WEEKDAYS[index]: self.cleaned_data[f"day_{index}"] for index in range(7)}


STALE_FORM = _("This page was out of date. It now shows the order as it is; try again.")


class OrderChangeForm(forms.Form):
    """A customer's change to an order, made on the version of the order the page showed."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages={"required": STALE_FORM, "invalid": STALE_FORM}
    )


class MoveForm(OrderChangeForm):
    to = forms.CharField(widget=forms.HiddenInput, max_length=40)
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Note to the seller"),
    )


class CancelForm(OrderChangeForm):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Why are you cancelling?"),
    )


class QuoteAcceptForm(OrderChangeForm):
    """Accept the quote version the page showed."""


class QuoteDeclineForm(OrderChangeForm):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Why are you declining?"),
        help_text=_("The seller reads it and may send a new version."),
    )


class ReachForm(forms.Form):
    """The question a contact is asked when they first come (004_…): how to tell them, and when."""

    channels = forms.MultipleChoiceField(
        label=_("How should we tell you about your orders?"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one way to reach you.")},
    )
    use_seller_hours = forms.BooleanField(required=False, label=_("Any time within the seller's hours"))

    def __init__(self, *args: Any, channels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["channels"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = channels
        for index in range(7):
            self.fields[f"day_{index}"] = forms.CharField(
                required=False,
                label=dates.WEEKDAYS[index],
                max_length=100,
                help_text=_("e.g. 09:00-12:00, 14:00-20:00; empty: none"),
            )

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{index}"] for index in range(7)]

    def week(self) -> dict[str, str] | None:
        if self.cleaned_data["use_seller_hours"]:
            return None
        return {windows.WEEKDAYS[index]: self.cleaned_data[f"day_{index}"] for index in range(7)}
