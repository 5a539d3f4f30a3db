"""Manage orders: the seller's to-do list, filtered, sorted and paged, and exported as it is shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from orderflow.accounts.models import Membership
from orderflow.core.errors import ActionError
from orderflow.orders import export
from orderflow.orders.selectors import (
    ListRow,
    OrderFilters,
    list_rows,
    order_counts,
    order_list,
    order_page,
)
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import BulkForm, OrderFilterForm

PAGE_SIZE = 50
# Pages go this deep (10,000 orders); past it, filters narrow the list. A total above COUNT_UP_TO is
# shown as "more than" (only where the counters do not know it: search, assignee, customer).
MAX_PAGES = 200
COUNT_UP_TO = 1000


@dataclass(frozen=True)
class ListPage:
    """One page of the list, read with an offset and one row more than shown (is there a next page?),
    and a total that is either exact or a lower bound: no page counts every order of the seller."""

    number: int
    object_list: list[ListRow]
    has_next: bool
    total: int
    total_exact: bool
    attention: int  # the badge, from the same read of the counters as the total

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.object_list)

    @property
    def num_pages(self) -> int | None:
        """Only when the total is exact."""
        return max(1, -(-self.total // PAGE_SIZE)) if self.total_exact else None


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGES)


def list_page(membership: Membership, filters: OrderFilters, raw_number: str | None) -> ListPage:
    seller = membership.seller
    number = _page_number(raw_number)
    start = (number - 1) * PAGE_SIZE
    orders = order_list(seller, filters)  # a search reads the ids it matches once, here
    counts = order_counts(seller)
    total = counts.total(filters)
    if total is not None:
        rows = order_page(orders, start=start, size=PAGE_SIZE + 1)
        exact = True
    else:
        # The counters do not know this list (a search, an assignee, a customer): its first ids are read
        # in one go, up to the page's end and at least COUNT_UP_TO + 1. They give the page and a total,
        # exact when they are all there is, else a lower bound ("more than").
        limit = max(COUNT_UP_TO + 1, start + PAGE_SIZE + 1)
        ids = list(orders.values_list("pk", flat=True)[:limit])
        total, exact = len(ids), len(ids) < limit
        rows = list_rows(ids[start : start + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE and number < MAX_PAGES
    return ListPage(number, rows[:PAGE_SIZE], has_next, total, exact, counts.attention)


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
    page = list_page(membership, filters, request.GET.get("page"))
    return render_seller(
        request,
        membership,
        "web/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "max_pages": MAX_PAGES,
            "orders": page.object_list,
            "attention_count": page.attention,
            "bulk_form": BulkForm(membership=membership, staff=form.active_staff()),
            # "Select all on this page" is a link, so that it works without JavaScript.
            "all_selected": request.GET.get("select") == "page",
            # Each row's customer links to the same list narrowed to that customer, on its first page.
            "customer_query": _without(request, "customer", "page"),
        },
    )


def _without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


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
