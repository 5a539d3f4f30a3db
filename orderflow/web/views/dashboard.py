"""Manage orders: the seller's to-do list, filtered, sorted and paged."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from orderflow.accounts.models import Membership
from orderflow.orders.selectors import order_list, with_workflow_versions
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import OrderFilterForm

PAGE_SIZE = 50


@seller_view
def seller_root(request: HttpRequest, membership: Membership) -> HttpResponse:
    return redirect("dashboard", seller_slug=membership.seller.slug)


@seller_view
def dashboard(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = OrderFilterForm(request.GET, membership=membership)
    form.is_valid()  # invalid filters are listed on the page and left out of the query
    filters = form.filters()
    page = Paginator(order_list(membership.seller, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_seller(
        request,
        membership,
        "web/dashboard.html",
        {"form": form, "filters": filters, "page": page, "orders": with_workflow_versions(page.object_list)},
    )
