"""Forms for taking an order in the workspace (by phone) and for changing its lines afterwards.

They read the shape of the input only; quantities and prices are passed on as typed, and the order
actions judge them (and name the line and field when they refuse)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Contact, Customer
from orderflow.catalog.models import Item
from orderflow.orders.actions import LineInput
from orderflow.orders.models import LineStatus, Order, OrderLine
from orderflow.web.forms import NumberField, VersionedForm
from orderflow.workflows.models import OrderType

DEFAULT_ROWS = 5
MAX_ROWS = 50
FULFILMENT_CHOICES = [("pickup", _("Pickup")), ("delivery", _("Delivery"))]


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        item: Item = obj
        price = _("price on quote") if item.unit_price is None else f"{item.unit_price} {item.currency}"
        label = f"{item.name} ({item.sku}, {price})"
        if not item.orderable:
            label += f" - {_('out of stock')}"
        return label


class NewOrderForm(forms.Form):
    """A phone order: the contact who called, the kind of order, lines from the catalogue or free."""

    contact = forms.ModelChoiceField(
        label=_("Contact who placed it"), queryset=Contact.objects.none(), required=False
    )
    order_type = forms.ModelChoiceField(label=_("Order type"), queryset=OrderType.objects.none())
    fulfilment = forms.ChoiceField(
        label=_("Pickup or delivery"), choices=[("", "—"), *FULFILMENT_CHOICES], required=False
    )
    title = forms.CharField(
        label=_("Title"), required=False, max_length=200, help_text=_("Defaults to the first line.")
    )
    customer_notes = forms.CharField(
        label=_("Customer's notes"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        customer: Customer,
        order_types: list[OrderType],
        items: list[Item],
        rows: int = DEFAULT_ROWS,
    ) -> None:
        super().__init__(data)
        self.customer = customer
        contact = self.fields["contact"]
        assert isinstance(contact, forms.ModelChoiceField)
        contact.queryset = Contact.objects.filter(customer=customer, is_active=True).order_by("name", "pk")
        order_type = self.fields["order_type"]
        assert isinstance(order_type, forms.ModelChoiceField)
        order_type.queryset = OrderType.objects.filter(pk__in=[t.pk for t in order_types]).order_by("pk")
        if order_types:
            self.initial["order_type"] = order_types[0].pk
        item_ids = [item.pk for item in items]
        self.rows = rows
        for index in range(rows):
            n = index + 1
            self.fields[f"item_{index}"] = ItemChoiceField(
                label=_("Line %(number)s: catalogue item") % {"number": n},
                queryset=Item.objects.filter(pk__in=item_ids).select_related("seller").order_by("name"),
                required=False,
                empty_label=_("— free line —"),
            )
            self.fields[f"description_{index}"] = forms.CharField(
                label=_("Line %(number)s: description (free line)") % {"number": n},
                required=False,
                max_length=300,
            )
            self.fields[f"quantity_{index}"] = NumberField(
                label=_("Line %(number)s: quantity") % {"number": n}, required=False, max_length=30
            )
            self.fields[f"unit_price_{index}"] = NumberField(
                label=_("Line %(number)s: unit price") % {"number": n},
                required=False,
                max_length=30,
                help_text=_("Empty: the catalogue price.") if index == 0 else "",
            )
            self.fields[f"backup_{index}"] = ItemChoiceField(
                label=_("Line %(number)s: backup item") % {"number": n},
                queryset=Item.objects.filter(pk__in=item_ids).select_related("seller").order_by("name"),
                required=False,
                empty_label=_("— none —"),
            )

    def row_fields(self) -> list[list[forms.BoundField]]:
        names = ("item", "description", "quantity", "unit_price", "backup")
        return [[self[f"{name}_{index}"] for name in names] for index in range(self.rows)]

    def lines(self) -> list[LineInput]:
        """The filled rows, in order; a row with neither item nor description is left out."""
        data = self.cleaned_data
        lines = []
        for index in range(self.rows):
            item, description = data.get(f"item_{index}"), data.get(f"description_{index}", "")
            if item is None and not description.strip():
                continue
            backup = data.get(f"backup_{index}")
            lines.append(
                LineInput(
                    description=description,
                    quantity=data.get(f"quantity_{index}") or "1",
                    unit_price=data.get(f"unit_price_{index}") or None,
                    item_id=item.pk if item is not None else None,
                    backup_item_id=backup.pk if backup is not None else None,
                )
            )
        return lines


class LineEditForm(VersionedForm):
    """Change one line: quantity, price, and whether it is available, out of stock or substituted."""

    quantity = NumberField(label=_("Quantity"), max_length=30, required=False)
    unit_price = NumberField(
        label=_("Unit price"), required=False, max_length=30, help_text=_("Empty: no price yet.")
    )
    status = forms.ChoiceField(label=_("Line status"), choices=LineStatus.choices)

    def changes(self) -> dict[str, Any]:
        """What the form changes: a field left out of the post stays as it is."""
        data = self.cleaned_data
        changes: dict[str, Any] = {"status": data["status"], "substitute": data["substitute"]}
        if data["quantity"]:
            changes["quantity"] = data["quantity"]
        if "unit_price" in self.data:
            changes["unit_price"] = data["unit_price"] or None
        item = data["substitute_item"]
        changes["substitute_item_id"] = item.pk if item is not None else None
        return changes

    substitute_item = ItemChoiceField(
        label=_("Substitute from the catalogue"),
        queryset=Item.objects.none(),
        required=False,
        empty_label=_("— the backup item, or the text below —"),
    )
    substitute = forms.CharField(
        label=_("Substitute"),
        required=False,
        max_length=300,
        help_text=_("Used when the status is Substituted; defaults to the backup item."),
    )

    def __init__(self, data: Any = None, *, order: Order, line: OrderLine, items: list[Item]) -> None:
        super().__init__(data, order=order, key=f"line{line.position}")
        self.line = line
        self.initial.update(
            quantity=f"{line.quantity.normalize():f}",
            unit_price="" if line.unit_price is None else str(line.unit_price),
            status=line.status,
            substitute_item=line.substitute_item_id,
            substitute="" if line.substitute_item_id else line.substitute_description,
        )
        field = self.fields["substitute_item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Item.objects.filter(pk__in=[i.pk for i in items]).select_related("seller")


class LineAddForm(VersionedForm):
    item = ItemChoiceField(
        label=_("Catalogue item"),
        queryset=Item.objects.none(),
        required=False,
        empty_label=_("— free line —"),
    )
    description = forms.CharField(label=_("Description (free line)"), required=False, max_length=300)
    quantity = NumberField(label=_("Quantity"), max_length=30, initial="1")
    unit_price = NumberField(
        label=_("Unit price"), required=False, max_length=30, help_text=_("Empty: the catalogue price.")
    )

    def __init__(self, data: Any = None, *, order: Order, items: list[Item]) -> None:
        super().__init__(data, order=order, key="add_line")
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Item.objects.filter(pk__in=[i.pk for i in items]).select_related("seller")

    def line(self) -> LineInput:
        data = self.cleaned_data
        item = data.get("item")
        return LineInput(
            description=data.get("description", ""),
            quantity=data["quantity"],
            unit_price=data.get("unit_price") or None,
            item_id=item.pk if item is not None else None,
        )


class LineRemoveForm(VersionedForm):
    def __init__(self, data: Any = None, *, order: Order, line: OrderLine) -> None:
        super().__init__(data, order=order, key=f"remove{line.position}")
