"""Where a signed-in user lands: their seller's order list, or a choice between their sellers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from orderflow.accounts.models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user_id=request.user.pk or 0, is_active=True)
        .select_related("seller")
        .order_by("seller__name", "pk")
    )
    if len(memberships) == 1:
        return redirect("dashboard", seller_slug=memberships[0].seller.slug)
    return render(request, "web/home.html", {"memberships": memberships})
