"""Where a signed-in user lands: their seller's order list, a choice between their sellers, or, for a
customer's contact, their portal. Someone who is both chooses; nobody is sent to pages they cannot use."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from orderflow.accounts.models import Membership
from orderflow.accounts.selectors import contact_of_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user_id=request.user.pk or 0, is_active=True)
        .select_related("seller")
        .order_by("seller__name", "pk")
    )
    contact = contact_of_user(request.user.pk)
    if contact is not None and not memberships:
        return redirect("portal_orders")
    if len(memberships) == 1 and contact is None:
        return redirect("dashboard", seller_slug=memberships[0].seller.slug)
    return render(request, "web/home.html", {"memberships": memberships, "contact": contact})
