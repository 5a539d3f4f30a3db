"""Manage orders: the seller's to-do list, filtered, sorted and paged, and exported as it is shown."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from orderflow.accounts.models import Membership
from orderflow.core.errors import ActionError
from orderflow.orders import export
from orderflow.orders.selectors import OrderFilters, order_list, with_workflow_versions
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import BulkForm, OrderFilterForm

PAGE_SIZE = 50


@seller_view
def seller_root(request: HttpRequest, membership: Membership) -> HttpResponse:
    return redirect("dashboard", seller_slug=membership.seller.slug)


def list_url(membership: Membership, query: str = "") -> str:
    """The list's address with a query string (filters, sort, page) to show the same view again."""
    url = reverse("dashboard", kwargs={"seller_slug": membership.seller.slug})
    return f"{url}?{query}" if query else url


def _filtered(request: HttpRequest, membership: Membership) -> tuple[OrderFilterForm, OrderFilters]:
    form = OrderFilterForm(request.GET, membership=membership)
    form.is_valid()  # invalid filters are listed on the page and left out of the query
    return form, form.filters()


@seller_view
def dashboard(request: HttpRequest, membership: Membership) -> HttpResponse:
    form, filters = _filtered(request, membership)
    page = Paginator(order_list(membership.seller, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_seller(
        request,
        membership,
        "web/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "orders": with_workflow_versions(page.object_list),
            "bulk_form": BulkForm(membership=membership),
            # "Select all on this page" is a link, so that it works without JavaScript.
            "all_selected": request.GET.get("select") == "page",
        },
    )


@seller_view
def dashboard_export(request: HttpRequest, membership: Membership, file_format: str) -> HttpResponseBase:
    """The list as shown (the same filters and sort, every page) as a CSV or XLSX file."""
    if file_format not in export.FORMATS:
        raise Http404("No such format")
    _form, filters = _filtered(request, membership)
    orders = order_list(membership.seller, filters)
    try:
        export.check_size(orders, file_format)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect(list_url(membership, request.GET.urlencode()))
    return export.response(
        orders, file_format, seller=membership.seller, language=membership.reading_language
    )
