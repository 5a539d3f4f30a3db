"""A staff member's own notification preferences: which messages, on which channels, and when."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications import windows
from orderflow.notifications.actions import save_preferences
from orderflow.notifications.selectors import staff_preferences, staff_schedule
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import LanguageForm, error_summary
from orderflow.web.notification_forms import MyPreferencesForm


@seller_view
@require_http_methods(["GET", "POST"])
def my_notifications(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows, schedule = staff_preferences(membership), staff_schedule(membership)
    if request.method != "POST":
        return _page(request, membership, MyPreferencesForm(rows=rows, schedule=schedule), schedule)
    form = MyPreferencesForm(request.POST, rows=rows, schedule=schedule)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, form, schedule, status=400)
    try:
        save_preferences(membership, choices=form.choices(), week=form.week(), actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": error.message})
        day = f"day_{error.details.get('field')}"  # set_schedule names a weekday by its number
        if day in form.fields:
            form.add_error(day, error.message)
        return _page(request, membership, form, schedule, status=error.status)
    messages.success(request, _("Your notification preferences are saved."))
    return redirect(request.path)


def _page(
    request: HttpRequest,
    membership: Membership,
    form: MyPreferencesForm,
    schedule: windows.Schedule | None,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "language_form": LanguageForm(membership=membership),
        "hours": windows.describe(schedule),
        "time_zone": membership.seller.time_zone,
    }
    return render_seller(request, membership, "web/my_notifications.html", context, status=status)
