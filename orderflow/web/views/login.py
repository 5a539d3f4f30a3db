"""Signing in and choosing a password: the lockout page, invitations, and a staff member's password
change. The reset pages are Django's own views with these templates (see urls)."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orderflow.accounts import throttle
from orderflow.accounts.actions import accept_invitation, open_invitation
from orderflow.accounts.models import Membership
from orderflow.core.errors import ActionError
from orderflow.web.access import render_seller, seller_view


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """What every sign-in form answers while its address or account is locked out (AXES_LOCKOUT_CALLABLE).
    Each try while locked out starts the wait again, so the wait is the whole cooling-off."""
    minutes = math.ceil(throttle.cooloff().total_seconds() / 60)
    return render(request, "web/locked_out.html", {"minutes": minutes}, status=429)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation: choose a password, once."""
    invited = open_invitation(token)
    if invited is None:
        return render(request, "web/invitation_closed.html", status=410)
    person = User(username=invited.email, email=invited.email, first_name=invited.name)
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accept_invitation(token, password=form.cleaned_data["new_password1"])
        except ActionError as error:
            if error.code == "invitation_closed":
                return render(request, "web/invitation_closed.html", status=410)
            form.add_error("new_password1", error.message)
        else:
            messages.success(
                request, _("Your password is set. Sign in with %(email)s.") % {"email": invited.email}
            )
            return redirect("login")
    context = {"form": form, "invitation": invited}
    return render(request, "web/invitation.html", context, status=400 if form.errors else 200)


@seller_view
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = PasswordChangeForm(membership.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)  # this session stays signed in, the others end
        messages.success(request, _("Your password is changed."))
        return redirect("my_notifications", seller_slug=membership.seller.slug)
    context = {"form": form}
    return render_seller(
        request, membership, "web/password_change.html", context, status=400 if form.errors else 200
    )
