"""Input shapes of the catalogue page: the list's filters, an item, a catalogue file.

Forms check types and sizes; `orderflow.catalog.actions` decides what is allowed (who may, prices by
kind, tax rates, SKUs, backups), and its refusals are shown on the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Seller
from orderflow.catalog.actions import MAX_IMPORT_BYTES
from orderflow.catalog.actions.items import TEXT_LIMITS
from orderflow.catalog.models import Availability, Item, ItemKind
from orderflow.web.forms import NumberField
from orderflow.workflows.models import OrderType


class CatalogFilterForm(forms.Form):
    """The list's GET filters; values that are not understood are ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, help_text=_("SKU or name"))
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ItemKind.choices]
    )
    availability = forms.ChoiceField(
        label=_("Availability"), required=False, choices=[("", _("Any availability")), *Availability.choices]
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {name: "" for name in self.fields}
        return {name: self.cleaned_data[name] or "" for name in self.fields}


class ItemForm(forms.Form):
    sku = forms.CharField(
        label=_("SKU"), max_length=TEXT_LIMITS["sku"], help_text=_("Unique in your catalogue")
    )
    name = forms.CharField(label=_("Name"), max_length=TEXT_LIMITS["name"])
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_LIMITS["description"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    unit = forms.CharField(
        label=_("Unit"),
        max_length=TEXT_LIMITS["unit"],
        required=False,
        help_text=_("e.g. keg, case, hour, door"),
    )
    # Text, so that the action judges the amount and says what is wrong with it.
    unit_price = NumberField(
        label=_("Unit price"),
        max_length=20,
        required=False,
        help_text=_("In %(currency)s, e.g. 12.50; empty for a request for quote"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    tax_rate = NumberField(
        label=_("Tax rate (%)"),
        max_length=12,
        required=False,
        initial="0",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    backup_sku = forms.CharField(
        label=_("Suggested backup item (SKU)"),
        max_length=TEXT_LIMITS["sku"],
        required=False,
        help_text=_("Offered to the customer in case this item is out of stock"),
    )
    order_type = forms.ModelChoiceField(
        label=_("Order type"),
        queryset=OrderType.objects.none(),
        required=False,
        empty_label=_("The first order type"),
        help_text=_("The kind of order this item is ordered under"),
    )

    def __init__(self, data: Any = None, *, seller: Seller, item: Item | None = None) -> None:
        initial = None
        if item is not None:
            initial = {
                "sku": item.sku,
                "name": item.name,
                "description": item.description,
                "kind": item.kind,
                "unit": item.unit,
                "unit_price": "" if item.unit_price is None else f"{item.unit_price:.2f}",
                "tax_rate": f"{item.tax_rate.normalize():f}",
                "availability": item.availability,
                "backup_sku": item.backup_item.sku if item.backup_item is not None else "",
                "order_type": item.order_type_id,
            }
        super().__init__(data, initial=initial)
        field = self.fields["order_type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OrderType.objects.filter(seller=seller, is_active=True).order_by("name")
        self.fields["unit_price"].help_text = str(self.fields["unit_price"].help_text) % {
            "currency": seller.currency
        }


class CatalogFileForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file"),
        help_text=_("CSV, XLSX or XLS, up to %(size)s MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xls,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.help_text = str(field.help_text) % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
