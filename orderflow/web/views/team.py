"""The seller's team: its staff, inviting a new member, lifting a member's login lockout."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orderflow.accounts.actions import invite_staff, unlock_login
from orderflow.accounts.models import Membership
from orderflow.accounts.selectors import open_invitations, team_of
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.web.access import render_seller, seller_view
from orderflow.web.account_forms import InviteStaffForm


@seller_view
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = InviteStaffForm(request.POST or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    if form.is_bound and status == 200:
        data = form.cleaned_data
        try:
            invite_staff(
                membership.seller,
                email=data["email"],
                name=data["name"],
                role=data["role"],
                actor=Actor.staff(membership),
            )
        except ActionError as error:
            messages.error(request, error.message)
            status = error.status
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
            return redirect("team", seller_slug=membership.seller.slug)
    context = {
        "rows": team_of(membership.seller),
        "invitations": open_invitations(membership.seller),
        "form": form,
        "invitation_hours": settings.INVITATION_HOURS,
    }
    return render_seller(request, membership, "web/team.html", context, status=status)


@seller_view
@require_POST
def team_unlock(request: HttpRequest, membership: Membership, member_id: int) -> HttpResponse:
    member = Membership.objects.select_related("user").filter(seller=membership.seller, pk=member_id).first()
    if member is None:
        raise Http404("No such staff member")
    try:
        unlock_login(member, actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s can sign in again.") % {"name": member.display_name})
    return redirect("team", seller_slug=membership.seller.slug)
