"""Which language a person reads: the header's switch, and a staff member's saved choice."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from orderflow.accounts.actions import set_own_language, set_staff_language
from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.web.access import seller_view
from orderflow.web.forms import LanguageForm


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie that signed-out pages follow, then back to the page), and for a
    signed-in person their saved choice too, which their own pages follow over any cookie."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        # A language not offered changes nothing, as set_language ignores it too.
        with contextlib.suppress(ActionError):
            set_own_language(request.user, language=language)
    return set_language(request)


@seller_view
@require_POST
def my_language(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = LanguageForm(request.POST, membership=membership)
    if form.is_valid():
        set_staff_language(membership, language=form.cleaned_data["language"], actor=Actor.staff(membership))
        messages.success(request, _("Your language is saved."))
    else:
        messages.error(request, _("Nothing was saved. Choose one of the languages offered."))
    return redirect("my_notifications", seller_slug=membership.seller.slug)
