"""A signed-in customer orders from their seller's catalogue: browse or search, choose quantities and a
backup where an item suggests one, notes, pickup or delivery where the order type leaves it to them,
then review the lines and the total with taxes, and place.

No JavaScript and no session: the page is one form. Searching, reviewing and going back to change post
the whole basket (a quantity field per item), so nothing chosen is lost. A portal login belongs to one
contact (`Contact.user` is one-to-one), so one customer of one seller: there is no seller to pick.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orderflow.accounts.models import Contact
from orderflow.catalog.models import Item
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.core.formatting import typed_number
from orderflow.orders.actions import Checked, LineInput, check_order, order_type_for_items, place_order
from orderflow.orders.selectors import backup_choices, catalogue_for_ordering, items_by_id
from orderflow.portal.access import portal_view, render_portal
from orderflow.workflows.models import OrderType

MAX_BASKET = 200
MAX_NOTES = 10000


@dataclass
class Basket:
    """What the form carries: item id -> quantity as typed, item id -> backup item id, and the rest."""

    quantities: dict[int, str] = field(default_factory=dict)
    backups: dict[int, int] = field(default_factory=dict)
    notes: str = ""
    fulfilment: str = ""
    search: str = ""

    @classmethod
    def from_post(cls, data: QueryDict) -> Basket:
        basket = cls(
            notes=data.get("notes", "")[:MAX_NOTES],
            fulfilment=data.get("fulfilment", "")[:20],
            search=data.get("q", "")[:100],
        )
        for key in data:
            value = data.get(key, "")
            name, _sep, number = key.partition("_")
            if not number.isdigit() or len(number) > 18:
                continue
            if name == "qty" and value.strip() and len(basket.quantities) < MAX_BASKET:
                basket.quantities[int(number)] = typed_number(value[:30])
            elif name == "backup" and value.isdigit() and len(value) <= 18:
                basket.backups[int(number)] = int(value)
        return basket

    def lines(self) -> list[LineInput]:
        return [
            LineInput(item_id=item_id, quantity=quantity, backup_item_id=self.backups.get(item_id))
            for item_id, quantity in self.quantities.items()
        ]


@portal_view
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, contact: Contact) -> HttpResponse:
    """The catalogue with the basket; "Review" judges the basket and shows the review page."""
    basket = (
        Basket.from_post(request.POST)
        if request.method == "POST"
        else Basket(search=request.GET.get("q", "")[:100])
    )
    if request.method == "POST" and request.POST.get("step") == "review":
        try:
            checked = _check(contact, basket)
        except ActionError as error:
            messages.error(request, error.message)
            return _catalogue_page(request, contact, basket, status=error.status)
        return _review_page(request, contact, basket, checked)
    return _catalogue_page(request, contact, basket)


@portal_view
@require_POST
def order_place(request: HttpRequest, contact: Contact) -> HttpResponse:
    basket = Basket.from_post(request.POST)
    try:
        items = list(items_by_id(contact.customer.seller, basket.quantities).values())
        order_type = order_type_for_items(contact.customer.seller, items)
        order = place_order(
            contact.customer,
            order_type=order_type,
            actor=Actor.customer(contact),
            lines=basket.lines(),
            customer_notes=basket.notes,
            options=_options(order_type, basket),
        )
    except ActionError as error:
        messages.error(request, error.message)
        return _catalogue_page(request, contact, basket, status=error.status)
    messages.success(request, _("Thank you: order #%(number)s is placed.") % {"number": order.number})
    return redirect("portal_order", number=order.number)


def _check(contact: Contact, basket: Basket) -> Checked:
    if not basket.quantities:
        raise ActionError(
            "empty_order", _("Choose a quantity for at least one item."), details={"field": "lines"}
        )
    items = list(items_by_id(contact.customer.seller, basket.quantities).values())
    order_type = order_type_for_items(contact.customer.seller, items)
    return check_order(
        contact.customer,
        order_type=order_type,
        actor=Actor.customer(contact),
        lines=basket.lines(),
        options=_options(order_type, basket),
    )


def _options(order_type: OrderType, basket: Basket) -> dict[str, str] | None:
    """The order's own pickup-or-delivery choice, where its order type leaves it to the customer."""
    version = order_type.current_version
    if version is None or "fulfilment" not in version.workflow.order_options:
        return None
    return {"fulfilment": basket.fulfilment}


def _offers_choice(contact: Contact) -> bool:
    types = OrderType.objects.filter(seller=contact.customer.seller, is_active=True).select_related(
        "current_version"
    )
    return any(t.current_version and "fulfilment" in t.current_version.workflow.order_options for t in types)


def _catalogue_page(
    request: HttpRequest, contact: Contact, basket: Basket, *, status: int = 200
) -> HttpResponse:
    seller = contact.customer.seller
    listed = catalogue_for_ordering(seller, basket.search)
    listed_ids = {item.pk for item in listed}
    # Items already in the basket stay on the page whatever the search shows.
    kept = [item for pk, item in items_by_id(seller, basket.quantities).items() if pk not in listed_ids]
    backups = backup_choices(seller)
    context = {
        "seller": seller,
        "basket": basket,
        "rows": [_row(item, basket, backups) for item in kept + listed],
        "kept_count": len(kept),
        "offers_choice": _offers_choice(contact),
    }
    return render_portal(request, "portal/order_new.html", context, contact=contact, status=status)


@dataclass(frozen=True)
class _Row:
    item: Item
    quantity: str
    backup_id: int | None
    backups: list[Item]


def _row(item: Item, basket: Basket, backups: list[Item]) -> _Row:
    choices: list[Item] = []
    if item.backup_item is not None and item.backup_item.orderable:
        # The suggestion first, then any other orderable item.
        choices = [item.backup_item] + [b for b in backups if b.pk not in (item.pk, item.backup_item_id)]
    chosen = basket.backups.get(item.pk, item.backup_item_id if item.pk not in basket.quantities else None)
    return _Row(item, basket.quantities.get(item.pk, ""), chosen, choices)


def _review_page(request: HttpRequest, contact: Contact, basket: Basket, checked: Checked) -> HttpResponse:
    context = {
        "seller": contact.customer.seller,
        "basket": basket,
        "lines": checked.order_lines,
        "totals": checked.totals,
        "fulfilment": checked.options.get("fulfilment", ""),
        "currency": contact.customer.seller.currency,
    }
    return render_portal(request, "portal/order_review.html", context, contact=contact)
