"""The customer's side of participants: a partner (a contact of the order's customer) lists and adds
the participants of their own order, reached by its link or signed in; and the page of a lead's
opt-in link, where one click records consent or refusal."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.leads.actions import add_person, answer_opt_in
from orderflow.leads.actions.changes import link_problem
from orderflow.leads.models import Kind
from orderflow.leads.selectors import opt_in_link, people_of
from orderflow.portal.views import Reached, _bad_link, _page, behind_link, order_link, signed_in_order
from orderflow.web.people_forms import PersonForm

PER_PAGE = 25


def participants_url(reached: Reached) -> str:
    if reached.signed_in:
        from django.urls import reverse

        return reverse("portal_order_participants", kwargs={"number": reached.order.number})
    return f"{reached.url('track')}participants/"


def _participants(request: HttpRequest, reached: Reached) -> HttpResponse:
    order, contact = reached.order, reached.contact
    form = PersonForm(request.POST if request.method == "POST" else None, prefix="participant")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                person = add_person(
                    Actor.customer(contact), order, Kind.PARTICIPANT, form.values(), source=_("portal")
                )
            except ActionError as error:
                field = error.details.get("field")
                form.add_error(field if field in form.fields else None, error.message)
                status = error.status
            else:
                messages.success(request, _("%(name)s is added.") % {"name": person.display_name})
                return redirect(participants_url(reached))
    page = Paginator(people_of(order, Kind.PARTICIPANT), PER_PAGE).get_page(request.GET.get("page"))
    return _page(request, "portal/participants.html", reached, status=status, form=form, page=page)


participants = order_link("track")(require_http_methods(["GET", "POST"])(_participants))
my_participants = signed_in_order(require_http_methods(["GET", "POST"])(_participants))


@behind_link
@require_http_methods(["GET", "POST"])
def opt_in(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a mail scanner following the link answers nothing); POST records the answer."""
    link, problem = opt_in_link(token)
    if problem or link is None:
        return _bad_link(request, problem, link_problem(problem), status=410 if link else 404)
    person = link.person
    if request.method == "POST":
        consent = request.POST.get("answer") == "yes"
        try:
            person = answer_opt_in(token, consent=consent, ip=request.META.get("REMOTE_ADDR") or None)
        except ActionError as error:
            return _bad_link(request, error.code, error.message, status=410)
        return render(request, "portal/opt_in_done.html", {"person": person, "seller": person.seller})
    return render(request, "portal/opt_in.html", {"person": person, "seller": person.seller})
