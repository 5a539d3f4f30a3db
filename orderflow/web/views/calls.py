"""Call tasks: customers who prefer a phone call, with the script to read; done with an outcome."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.actions import complete_call_task
from orderflow.notifications.selectors import call_task, call_tasks
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import error_summary
from orderflow.web.notification_forms import CallDoneForm

DONE_SHOWN = 20


@seller_view
def calls(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _page(request, membership)


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    bound: tuple[int, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The open tasks (mine or all) with a form each; `bound` puts back the one just submitted."""
    mine = request.GET.get("show") == "mine"
    tasks = call_tasks(membership.seller, assignee=membership if mine else None)
    rows = [
        {"task": task, "form": bound[1] if bound and bound[0] == task.pk else CallDoneForm(task_id=task.pk)}
        for task in tasks
    ]
    done = call_tasks(membership.seller, assignee=membership if mine else None, done=True)[:DONE_SHOWN]
    context = {"rows": rows, "done": done, "mine": mine}
    return render_seller(request, membership, "web/calls.html", context, status=status)


@seller_view
@require_POST
def call_done(request: HttpRequest, membership: Membership, task_id: int) -> HttpResponse:
    task = call_task(membership.seller, task_id)
    if task is None:
        raise Http404("No such call task")
    form = CallDoneForm(request.POST, task_id=task.pk)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, bound=(task.pk, form), status=400)
    try:
        complete_call_task(task, outcome=form.cleaned_data["outcome"], actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, error.message)
        return _page(request, membership, bound=(task.pk, form), status=error.status)
    messages.success(
        request,
        _("Call to %(whom)s marked done.") % {"whom": task.contact.name if task.contact else task.phone},
    )
    url = reverse("calls", kwargs={"seller_slug": membership.seller.slug})
    return redirect(f"{url}?show=mine" if request.GET.get("show") == "mine" else url)
