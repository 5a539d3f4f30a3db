"""Seller scoping for every page under /s/<seller_slug>/.

A page is reached only through the active membership of the signed-in user at that seller. Anything
else answers 404, not 403: another tenant's sellers and orders must not even be seen to exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone, translation

from orderflow.accounts.models import Membership
from orderflow.conversations.selectors import unread_thread_count
from orderflow.notifications.selectors import unread_count
from orderflow.orders.models import Order
from orderflow.orders.selectors import attention_count, order_for_staff

SellerView = Callable[..., HttpResponseBase]  # a page, a redirect, or a streamed download


def membership_for(request: HttpRequest, seller_slug: str) -> Membership:
    """The signed-in user's active membership at the seller, or 404."""
    membership = (
        Membership.objects.select_related("seller", "user")
        .filter(user_id=request.user.pk or 0, seller__slug=seller_slug, is_active=True)
        .first()
    )
    if membership is None:
        raise Http404("No such seller")
    return membership


def order_or_404(membership: Membership, number: int) -> Order:
    """One of the member's seller's orders by its number, or 404 (another seller's too)."""
    order = order_for_staff(membership.seller, number)
    if order is None:
        raise Http404("No such order")
    return order


def seller_view(view: SellerView) -> SellerView:
    """Resolve `seller_slug` to the user's membership and call `view(request, membership, ...)`.

    Dates and times on the page are shown in the seller's time zone; the page is in the member's
    language (their own choice, else the seller's), whatever the browser asks for.
    """

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, seller_slug: str, **kwargs: Any) -> HttpResponseBase:
        membership = membership_for(request, seller_slug)
        language = membership.reading_language
        with timezone.override(membership.seller.time_zone), translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, membership, **kwargs)
        response.headers["Content-Language"] = language
        return response

    return wrapper


def render_seller(
    request: HttpRequest,
    membership: Membership,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render a seller page with what the layout needs: the seller, the member and the nav badges."""
    seller = membership.seller
    context = context or {}
    full = {
        "membership": membership,
        "seller": seller,
        "locale": membership.reading_language,  # workflow labels in the reader's language
        "inbox_unread": unread_count(membership),
        "conversations_unread": unread_thread_count(membership),
        **context,
    }
    if "attention_count" not in context:  # the order list gives it, from its own read of the counters
        full["attention_count"] = attention_count(seller)
    return render(request, template, full, status=status)
