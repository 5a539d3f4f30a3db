"""One change to the orders ticked in the list: each goes through its action on its own, and a page
shows what became of every one (done, or refused and why)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.orders.actions import (
    BulkResult,
    bulk_archive,
    bulk_assign,
    bulk_transition,
    common_targets,
    selected_orders,
)
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import BulkForm, error_summary
from orderflow.web.views.dashboard import list_url


@seller_view
@require_POST
def dashboard_bulk(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = BulkForm(request.POST, membership=membership)
    query = form.back_query()
    back = list_url(membership, query)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed. %(problem)s") % {"problem": error_summary(form)})
        return redirect(back)
    data, actor, seller = form.cleaned_data, Actor.staff(membership), membership.seller
    operation, numbers = data["operation"], data["orders"]
    if operation == "choose_state":
        return _choose_state(request, membership, numbers, query, back)
    results: list[BulkResult]
    if operation == "assign":
        assignee = data["assignee"]
        results = bulk_assign(seller, numbers, assignee=assignee, actor=actor)
        title = _("Assign to %(name)s") % {"name": assignee.display_name} if assignee else _("Unassign")
    elif operation == "move":
        results = bulk_transition(seller, numbers, to=data["to"], note=data["note"], actor=actor)
        title = _("Move to another status")
    else:
        results = bulk_archive(seller, numbers, actor=actor)
        title = _("Archive")
    context = {"title": title, "results": results, "back": back, "done": sum(r.done for r in results)}
    return render_seller(request, membership, "web/bulk_result.html", context)


def _choose_state(
    request: HttpRequest, membership: Membership, numbers: list[int], query: str, back: str
) -> HttpResponse:
    """Second step of a move: the statuses all the ticked orders may move to, each with its note."""
    orders, missing = selected_orders(membership.seller, numbers)
    targets = common_targets(orders, Actor.staff(membership), language=membership.reading_language)
    context = {"orders": orders, "missing": missing, "targets": targets, "query": query, "back": back}
    return render_seller(request, membership, "web/bulk_move.html", context)
