"""Input shapes of the login pages and the team page: invitations, password reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.actions import send_password_reset
from orderflow.accounts.models import Role


class InviteStaffForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email written to the outbox (the worker sends it) instead of sent
    from the request. The page answers the same whether or not the address has a login."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user: User = context["user"]
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        send_password_reset(user, reset_url=settings.SITE_URL + path)
