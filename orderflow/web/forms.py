"""Input shapes of the seller's pages. Forms check types and sizes; the actions decide what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import LOCALES, Customer, Membership
from orderflow.conversations.files import read_upload
from orderflow.core.formatting import currency_sign, typed_number
from orderflow.orders.actions import MAX_BULK
from orderflow.orders.models import Order
from orderflow.orders.selectors import (
    DEFAULT_SORT,
    SORT_CHOICES,
    OrderFilters,
    customers_of,
    order_types_of,
    staff_of,
    states_of,
)
from orderflow.workflows.definition import CATEGORY_LABELS, Transition


def _set_choices(field: forms.Field, choices: list[Any]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


STALE_FORM = _("This form is incomplete. Reload the order and try again.")


# ----------------------------------------------------------------------------------------------
# The order list


class NumberField(forms.CharField):
    """A quantity, price or rate as the reader writes it (`7,25` in French, `1,234.50` in English), handed
    to the action as plain text (`7.25`): the action judges the number and says what is wrong with it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return typed_number(super().to_python(value) or "")


# Above this many customers, the list's customer filter is no drop-down.
CUSTOMER_CHOICES = 100


class OrderFilterForm(forms.Form):
    """The dashboard's GET filters. Invalid values are reported and ignored, never fatal."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Order type"), required=False)
    category = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *CATEGORY_LABELS.items()]
    )
    state = forms.ChoiceField(label=_("Status"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.none(), empty_label=_("All customers")
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    archived = forms.BooleanField(label=_("Show archived"), required=False)

    def __init__(self, data: Any, *, membership: Membership) -> None:
        super().__init__(data)
        seller = membership.seller
        self.membership = membership
        self.order_types = {order_type.key: order_type for order_type in order_types_of(seller)}
        _set_choices(
            self.fields["type"],
            [
                ("", _("All order types")),
                *((key, order_type.name) for key, order_type in self.order_types.items()),
            ],
        )
        # One select for every type's states, grouped by type, so it works without JavaScript.
        _set_choices(
            self.fields["state"],
            [
                ("", _("Any status")),
                *(
                    (
                        order_type.name,
                        [
                            (f"{key}:{state}", s.label(seller.locale))
                            for state, s in states_of(order_type).items()
                        ],
                    )
                    for key, order_type in self.order_types.items()
                ),
            ],
        )
        self.staff = {str(m.pk): m for m in staff_of(seller, active_only=False)}
        _set_choices(
            self.fields["assignee"],
            [
                ("", _("Anyone")),
                ("mine", _("Assigned to me")),
                ("unassigned", _("Unassigned")),
                *((pk, m.display_name) for pk, m in self.staff.items()),
            ],
        )
        customer_field = self.fields["customer"]
        assert isinstance(customer_field, forms.ModelChoiceField)
        customer_field.queryset = customers_of(seller)
        if customers_of(seller)[CUSTOMER_CHOICES : CUSTOMER_CHOICES + 1].exists():
            # Thousands of customers make no list to pick from (nor a page to send on every view): a
            # customer is picked from the list's rows, and the page names the one picked.
            customer_field.widget = forms.HiddenInput()

    def active_staff(self) -> list[Membership]:
        """The staff who can be assigned orders, in the order of the assignee filter."""
        return [member for member in self.staff.values() if member.is_active]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        type_key, state = data.get("type"), data.get("state")
        if type_key and state and not state.startswith(f"{type_key}:"):
            self.add_error(
                "state",
                _("That status belongs to another order type than the one picked; the status was ignored."),
            )
        return data

    def filters(self) -> OrderFilters:
        """The filters from the valid fields (call after `is_valid()`); invalid ones are left out."""
        data = self.cleaned_data
        order_type = self.order_types.get(data.get("type") or "")
        state = ""
        if data.get("state"):
            type_key, state = data["state"].split(":", 1)
            order_type = self.order_types[type_key]
        choice = data.get("assignee") or ""
        assignee: Membership | Literal["unassigned"] | None
        if choice == "mine":
            assignee = self.membership
        elif choice == "unassigned":
            assignee = "unassigned"
        else:
            assignee = self.staff.get(choice)
        return OrderFilters(
            search=(data.get("q") or "").strip(),
            order_type=order_type,
            category=data.get("category") or "",
            state=state,
            assignee=assignee,
            customer=data.get("customer"),
            include_archived=bool(data.get("archived")),
            sort=data.get("sort") or DEFAULT_SORT,
        )


# ----------------------------------------------------------------------------------------------
# Changes to one order. Each form carries the order version the page showed, so a change made
# meanwhile by someone else is refused instead of silently overwritten.


class VersionedForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages={"required": STALE_FORM, "invalid": STALE_FORM}
    )

    def __init__(self, data: Any = None, *, order: Order, key: str) -> None:
        # `key` makes the ids unique when one page holds several forms of the same kind.
        super().__init__(data, initial={"version": order.version}, auto_id=f"id_{key}_%s")
        self.order = order


class TransitionForm(VersionedForm):
    to = forms.CharField(widget=forms.HiddenInput, max_length=40)
    note = forms.CharField(
        label=_("Note to the customer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data: Any = None, *, order: Order, transition: Transition | None = None) -> None:
        target = transition.target if transition else str((data or {}).get("to", ""))
        transition = transition or order.workflow.transition(order.state, target, order.options)
        super().__init__(data, order=order, key=f"to_{target}")
        self.initial["to"] = target
        if transition is not None and transition.note == "required":
            self.fields["note"].widget.attrs["required"] = True


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AssignForm(VersionedForm):
    assignee = StaffChoiceField(
        label=_("Assigned to"),
        required=False,
        queryset=Membership.objects.none(),
        empty_label=_("Unassigned"),
    )

    def __init__(self, data: Any = None, *, order: Order) -> None:
        super().__init__(data, order=order, key="assign")
        field = self.fields["assignee"]
        assert isinstance(field, StaffChoiceField)
        field.queryset = staff_of(order.seller)
        self.initial["assignee"] = order.assignee_id


class EstimateForm(VersionedForm):
    estimated_completion = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to clear it."),
    )

    def __init__(self, data: Any = None, *, order: Order) -> None:
        super().__init__(data, order=order, key="estimate")
        self.initial["estimated_completion"] = order.estimated_completion


class NotesForm(VersionedForm):
    internal_notes = forms.CharField(
        label=_("Internal notes"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, data: Any = None, *, order: Order) -> None:
        super().__init__(data, order=order, key="notes")
        self.initial["internal_notes"] = order.internal_notes


class CancelForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason, shown to the customer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    refund_amount = forms.DecimalField(
        localize=True,
        label=_("Refund"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, data: Any = None, *, order: Order) -> None:
        super().__init__(data, order=order, key="cancel")
        policy = order.workflow.cancel
        if policy is not None and policy.reason == "required":
            self.fields["reason"].label = _("Reason, shown to the customer (required)")
            self.fields["reason"].widget.attrs["required"] = True
        if policy is None or not policy.refund:
            del self.fields["refund_amount"]
        else:
            self.fields["refund_amount"].label = _("Refund (%(currency)s, optional)") % {
                "currency": currency_sign(order.currency)
            }


class RefundForm(forms.Form):
    """No version: `refund_order` takes none (the action checks the refundable amount under lock)."""

    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2, localize=True
    )
    reason = forms.CharField(
        label=_("Reason (shown to the customer)"),
        help_text=_(
            "The customer reads this as the refund's reason, on their order page and in the message."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data: Any = None, *, order: Order) -> None:
        super().__init__(data, auto_id="id_refund_%s")
        self.order = order
        self.fields["amount"].label = _("Amount (%(currency)s)") % {"currency": currency_sign(order.currency)}
        self.fields["reason"].widget.attrs["required"] = True


class ArchiveForm(VersionedForm):
    def __init__(self, data: Any = None, *, order: Order) -> None:
        super().__init__(data, order=order, key="archive")


def error_summary(form: forms.Form) -> str:
    """Every error of a form on one line, for the message at the top of the page."""
    parts: list[str] = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and not field.widget.is_hidden else None
        parts.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return " ".join(parts)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of my pages"), required=False)

    def __init__(self, data: Any = None, *, membership: Membership) -> None:
        super().__init__(data, initial={"language": membership.language})
        seller_language = dict(LOCALES)[membership.seller.locale]
        default = _("The language of %(seller)s (%(language)s)") % {
            "seller": membership.seller.name,
            "language": seller_language,
        }
        _set_choices(self.fields["language"], [("", default), *LOCALES])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; the action judges each one (type by content, size, count)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def attached(files: list[Any]) -> list[tuple[str, bytes]]:
    """The (name, content) pairs the message actions take, each read to one byte past the limit."""
    return [(upload.name or "", read_upload(upload)) for upload in files]


def files_help() -> str:
    return _("Up to %(count)s files of %(size)s MB each: images, PDF, office documents, CSV or text.") % {
        "count": settings.ATTACHMENT_MAX_FILES,
        "size": round(settings.ATTACHMENT_MAX_BYTES / 1_048_576, 1),
    }


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = FilesField(label=_("Attach files"))
    internal = forms.BooleanField(
        label=_("Internal note (staff only, never sent to the customer)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = files_help()


# ----------------------------------------------------------------------------------------------
# One change to several orders of the list


class OrderNumbersField(forms.Field):
    """The order numbers ticked in a list: each a positive whole number, at least one, at most MAX_BULK."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one order."),
        "invalid": _("%(value)r is not an order number."),
        "too_many": _("Select at most %(limit)s orders at a time."),
    }

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        numbers = []
        for item in values:
            text = str(item).strip().removeprefix("#")
            if not (text.isdigit() and 0 < len(text) < 10 and int(text) > 0):
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": str(item)[:20]}
                )
            numbers.append(int(text))
        if len(set(numbers)) > MAX_BULK:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": MAX_BULK}
            )
        return list(dict.fromkeys(numbers))


class BulkForm(forms.Form):
    """Ticked orders of the list and what to do with them. `back` is the list's query string (filters,
    sort, page), to return to the same view."""

    OPERATIONS = ("assign", "choose_state", "move", "archive")

    orders = OrderNumbersField(label=_("Orders"))
    operation = forms.ChoiceField(choices=[(key, key) for key in OPERATIONS], widget=forms.HiddenInput)
    assignee = StaffChoiceField(
        label=_("Assign to"),
        required=False,
        queryset=Membership.objects.none(),
        empty_label=_("Nobody (unassigned)"),
    )
    to = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note to the customer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    back = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(
        self, data: Any = None, *, membership: Membership, staff: Iterable[Membership] | None = None
    ) -> None:
        """`staff`: the seller's active staff, when the page has read them already (the list's filters
        have): the drop-down is drawn from them instead of reading them again."""
        super().__init__(data, auto_id="id_bulk_%s")
        field = self.fields["assignee"]
        assert isinstance(field, StaffChoiceField)
        field.queryset = staff_of(membership.seller)
        if staff is not None:
            field.choices = [("", field.empty_label), *((m.pk, m.display_name) for m in staff)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("operation") == "move" and not data.get("to"):
            self.add_error("to", _("Choose the status to move the orders to."))
        return data

    def back_query(self) -> str:
        """The list's query string as given, re-encoded: only ever appended to the list's own address."""
        return QueryDict(str(self.data.get("back", ""))[:2000]).urlencode()
