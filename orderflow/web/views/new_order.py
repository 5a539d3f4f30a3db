"""Taking an order in the workspace, e.g. by phone: find the customer, then the contact, lines and notes.
The order is placed by the staff member on behalf of the contact (the activity log says so), through
the same action as the portal and the API."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orderflow.accounts.models import Customer, Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.orders.actions import place_order
from orderflow.orders.selectors import catalogue_for_ordering, customer_search
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import error_summary
from orderflow.web.order_forms import DEFAULT_ROWS, MAX_ROWS, NewOrderForm
from orderflow.workflows.models import OrderType


@seller_view
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    seller = membership.seller
    customer_id = request.GET.get("customer", "")
    if not customer_id.isdigit():
        search = request.GET.get("q", "")[:100]
        found = {"search": search, "customers": customer_search(seller, search)}
        return render_seller(request, membership, "web/order_new_customer.html", found)
    customer = Customer.objects.filter(seller=seller, pk=int(customer_id)).first()
    if customer is None:
        raise Http404("No such customer")
    rows = _rows(request)
    order_types = list(OrderType.objects.filter(seller=seller, is_active=True).order_by("pk"))
    items = catalogue_for_ordering(seller)
    form = NewOrderForm(
        request.POST or None, customer=customer, order_types=order_types, items=items, rows=rows
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = place_order(
                    customer,
                    order_type=data["order_type"],
                    actor=Actor.staff(membership),
                    contact=data["contact"],
                    lines=form.lines(),
                    title=data["title"],
                    customer_notes=data["customer_notes"],
                    options={"fulfilment": data["fulfilment"]} if data["fulfilment"] else None,
                )
            except ActionError as error:
                messages.error(request, error.message)
                status = error.status
            else:
                messages.success(request, _("Order #%(number)s placed.") % {"number": order.number})
                return redirect("order_detail", seller_slug=seller.slug, number=order.number)
        else:
            messages.error(request, _("Nothing was placed. %(problem)s") % {"problem": error_summary(form)})
            status = 400
    context: dict[str, object] = {
        "customer": customer,
        "form": form,
        "rows": rows,
        "more_rows": min(rows + 5, MAX_ROWS),
    }
    return render_seller(request, membership, "web/order_new.html", context, status=status)


def _rows(request: HttpRequest) -> int:
    value = request.GET.get("rows", "")
    return max(1, min(int(value), MAX_ROWS)) if value.isdigit() else DEFAULT_ROWS
