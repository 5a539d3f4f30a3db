"""Forms of the seller's settings page (the business, its order types' options, its carriers) and of
recording a shipment on an order. They check the shape of what was typed; the actions judge the rest."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import LOCALES, Seller
from orderflow.orders.models import CARRIER_PRESETS, Carrier, Order
from orderflow.web.forms import VersionedForm
from orderflow.workflows.definition import option_choices
from orderflow.workflows.loader import load_preset
from orderflow.workflows.models import OrderType


class SellerForm(forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=200)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    locale = forms.ChoiceField(label=_("Language"), choices=LOCALES)
    currency = forms.CharField(
        label=_("Currency"),
        min_length=3,
        max_length=3,
        help_text=_("Three letters, such as CAD, EUR or USD. It cannot change once orders exist."),
    )
    allow_backorders = forms.BooleanField(
        label=_("Customers may order items that are out of stock"), required=False
    )

    def __init__(self, data: Any = None, *, seller: Seller, has_orders: bool) -> None:
        super().__init__(
            data,
            initial={
                "name": seller.name,
                "time_zone": seller.time_zone,
                "locale": seller.locale,
                "currency": seller.currency,
                "allow_backorders": seller.allow_backorders,
            },
            auto_id="id_seller_%s",
        )
        zones = sorted(zoneinfo.available_timezones())
        zone_field = self.fields["time_zone"]
        assert isinstance(zone_field, forms.ChoiceField)
        zone_field.choices = [(zone, zone) for zone in zones]
        if has_orders:
            # Shown, not editable: the action refuses a change anyway (`currency_locked`).
            self.fields["currency"].disabled = True


class OptionsForm(forms.Form):
    """One order type's choices for the preset it was installed from (the shop's pickup or delivery)."""

    def __init__(self, data: Any = None, *, order_type: OrderType) -> None:
        super().__init__(data, auto_id=f"id_type_{order_type.pk}_%s")
        self.order_type = order_type
        options = option_choices(load_preset(order_type.preset)) if order_type.preset else {}
        for name, option in options.items():
            self.fields[name] = forms.ChoiceField(
                label=_option_label(name, option["label"]),
                choices=[(choice, _choice_label(choice)) for choice in option["choices"]],
                initial=order_type.options.get(name, option["default"]),
            )


# Preset options and their choices as people read them (the preset files hold English only).
OPTION_LABELS = {"fulfilment": _("How customers get their orders")}
CHOICE_LABELS = {"pickup": _("Pickup"), "delivery": _("Delivery")}


def _option_label(name: str, fallback: str) -> Any:
    return OPTION_LABELS.get(name, fallback)


def _choice_label(choice: str) -> Any:
    return CHOICE_LABELS.get(choice, choice)


class CarrierForm(forms.Form):
    preset = forms.ChoiceField(label=_("Common carrier"), required=False)
    name = forms.CharField(
        label=_("Name"), required=False, max_length=80, help_text=_("Leave empty to use the common carrier.")
    )
    url_pattern = forms.CharField(
        label=_("Tracking address"),
        required=False,
        max_length=500,
        help_text=_("An https address with {tracking} where the tracking number goes."),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, auto_id="id_carrier_%s")
        preset = self.fields["preset"]
        assert isinstance(preset, forms.ChoiceField)
        preset.choices = [("", _("— my own —"))] + [(name, name) for name, _pattern in CARRIER_PRESETS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        presets = dict(CARRIER_PRESETS)
        preset = data.get("preset") or ""
        if preset:
            data["name"] = data.get("name") or preset
            data["url_pattern"] = data.get("url_pattern") or presets[preset]
        elif not data.get("name") or not data.get("url_pattern"):
            raise forms.ValidationError(
                _("Pick a common carrier, or give your own carrier's name and tracking address.")
            )
        return data


class ShipmentForm(VersionedForm):
    carrier = forms.ModelChoiceField(label=_("Carrier"), queryset=Carrier.objects.none())
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)
    estimated_delivery = forms.DateField(
        label=_("Estimated delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data: Any = None, *, order: Order) -> None:
        super().__init__(data, order=order, key="shipment")
        field = self.fields["carrier"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Carrier.objects.filter(seller_id=order.seller_id, is_active=True)
