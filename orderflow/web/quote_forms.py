"""The staff quote editor: a draft's dates, currency, notes and lines. Shapes only; the quote actions
judge prices, quantities, tax rates and dates (and name the line and field when they refuse)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderflow.catalog.models import Item
from orderflow.orders.models import Order
from orderflow.quotes.actions import QuoteLineInput
from orderflow.quotes.models import Quote
from orderflow.web.forms import VersionedForm
from orderflow.web.order_forms import ItemChoiceField

EXTRA_ROWS = 3
MAX_ROWS = 60
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuoteForm(VersionedForm):
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    expires_on = forms.DateField(
        label=_("Valid until"), widget=DATE, help_text=_("The last day to accept it.")
    )
    completion_on = forms.DateField(label=_("Completion date"), widget=DATE, required=False)
    notes = forms.CharField(
        label=_("Notes to the customer"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ROWS)

    def __init__(self, data: Any = None, *, order: Order, quote: Quote, items: list[Item]) -> None:
        super().__init__(data, order=order, key=f"quote{quote.version}")
        self.quote = quote
        lines = list(quote.lines.all())
        rows = len(lines) + EXTRA_ROWS
        if data is not None:
            with contextlib.suppress(TypeError, ValueError):
                rows = max(1, min(MAX_ROWS, int(data.get("rows", rows))))
        self.row_count = rows
        self.initial.update(
            currency=quote.currency,
            expires_on=quote.expires_on,
            completion_on=quote.completion_on,
            notes=quote.notes,
            rows=rows,
        )
        item_ids = [item.pk for item in items]
        for index in range(rows):
            n = index + 1
            self.fields[f"item_{index}"] = ItemChoiceField(
                label=_("Line %(number)s: catalogue item") % {"number": n},
                queryset=Item.objects.filter(pk__in=item_ids).select_related("seller").order_by("name"),
                required=False,
                empty_label=_("— described below —"),
            )
            self.fields[f"description_{index}"] = forms.CharField(
                label=_("Line %(number)s: description") % {"number": n}, required=False, max_length=300
            )
            self.fields[f"quantity_{index}"] = forms.CharField(
                label=_("Line %(number)s: quantity") % {"number": n}, required=False, max_length=30
            )
            self.fields[f"unit_price_{index}"] = forms.CharField(
                label=_("Line %(number)s: unit price") % {"number": n}, required=False, max_length=30
            )
            self.fields[f"tax_rate_{index}"] = forms.CharField(
                label=_("Line %(number)s: tax rate (%%)") % {"number": n}, required=False, max_length=30
            )
        for index, line in enumerate(lines):
            self.initial.update(
                {
                    f"item_{index}": line.item_id,
                    f"description_{index}": line.description,
                    f"quantity_{index}": f"{line.quantity.normalize():f}",
                    f"unit_price_{index}": "" if line.unit_price is None else str(line.unit_price),
                    f"tax_rate_{index}": f"{line.tax_rate.normalize():f}",
                }
            )

    def row_fields(self) -> list[list[forms.BoundField]]:
        names = ("item", "description", "quantity", "unit_price", "tax_rate")
        return [[self[f"{name}_{index}"] for name in names] for index in range(self.row_count)]

    def lines(self) -> list[QuoteLineInput]:
        """The filled rows, in order; a row with neither item nor description is left out."""
        data = self.cleaned_data
        lines = []
        for index in range(self.row_count):
            item, description = data.get(f"item_{index}"), data.get(f"description_{index}", "")
            if item is None and not description.strip():
                continue
            lines.append(
                QuoteLineInput(
                    description=description,
                    quantity=data.get(f"quantity_{index}") or "1",
                    unit_price=data.get(f"unit_price_{index}") or None,
                    tax_rate=data.get(f"tax_rate_{index}") or None,
                    item_id=item.pk if item is not None else None,
                )
            )
        return lines

    def dates(self) -> tuple[dt.date, dt.date | None]:
        return self.cleaned_data["expires_on"], self.cleaned_data.get("completion_on")


class QuoteActForm(VersionedForm):
    """Send, revise, or start a quote: the order's version only."""

    def __init__(self, data: Any = None, *, order: Order, key: str) -> None:
        super().__init__(data, order=order, key=key)


class QuoteDeclineForm(VersionedForm):
    reason = forms.CharField(
        label=_("Customer's reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data: Any = None, *, order: Order, quote: Quote) -> None:
        super().__init__(data, order=order, key=f"decline{quote.version}")
