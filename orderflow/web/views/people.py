"""The participants and leads of one order: both lists (paginated), adding, editing, removing,
converting a participant to a lead, the outcome of qualification calls, opt-in emails, and the extra
people told when people are added. Every change goes through the leads actions."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.leads.actions import (
    add_person,
    add_recipient,
    ask_opt_in,
    convert_to_lead,
    record_call,
    remove_person,
    remove_recipient,
    update_person,
)
from orderflow.leads.models import Kind, Person
from orderflow.leads.selectors import people_of, person_in, recipients_of
from orderflow.orders.models import Order
from orderflow.web.access import order_or_404, render_seller, seller_view
from orderflow.web.forms import error_summary
from orderflow.web.people_forms import (
    CallOutcomeForm,
    EditPersonForm,
    LeadForm,
    PersonForm,
    RecipientForm,
)

PER_PAGE = 25


def _person_or_404(order: Order, person_id: int) -> Person:
    person = person_in(order, person_id)
    if person is None:
        raise Http404("No such person")
    return person


def _back(membership: Membership, order: Order, anchor: str = "") -> HttpResponse:
    response = redirect("order_people", seller_slug=membership.seller.slug, number=order.number)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@seller_view
def order_people(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    return _page(request, membership, order_or_404(membership, number))


def _page(
    request: HttpRequest,
    membership: Membership,
    order: Order,
    *,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    slot, submitted = bound or ("", None)

    def form(name: str, fresh: forms.Form) -> forms.Form:
        return submitted if submitted is not None and slot == name else fresh

    lists = {}
    for kind, param in ((Kind.PARTICIPANT, "participants_page"), (Kind.LEAD, "leads_page")):
        page = Paginator(people_of(order, kind), PER_PAGE).get_page(request.GET.get(param))
        lists[kind] = {"page": page, "param": param}
    context = {
        "order": order,
        "participants": lists[Kind.PARTICIPANT]["page"],
        "leads": lists[Kind.LEAD]["page"],
        "participant_form": form("add:participant", PersonForm(prefix="participant")),
        "lead_form": form("add:lead", LeadForm(prefix="lead")),
        "bound_slot": slot,
        "bound_form": submitted,
        "recipients": list(recipients_of(order)),
        "recipient_form": form("recipient", RecipientForm(seller_id=order.seller_id)),
        "call_form": CallOutcomeForm(),
    }
    return render_seller(request, membership, "web/order_people.html", context, status=status)


def _change(
    request: HttpRequest,
    membership: Membership,
    order: Order,
    slot: str,
    form: forms.Form,
    change: Callable[[Actor], str],
    *,
    anchor: str = "",
) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, _("Nothing was changed. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, order, bound=(slot, form), status=400)
    try:
        done = change(Actor.staff(membership))
    except ActionError as error:
        field = error.details.get("field")
        if field in form.fields:
            form.add_error(field, error.message)
        messages.error(request, error.message)
        return _page(request, membership, order, bound=(slot, form), status=error.status)
    messages.success(request, done)
    return _back(membership, order, anchor)


@seller_view
@require_POST
def people_add(request: HttpRequest, membership: Membership, number: int, kind: str) -> HttpResponse:
    order = order_or_404(membership, number)
    if kind not in Kind.values:
        raise Http404("No such list")
    form: PersonForm = (
        LeadForm(request.POST, prefix="lead")
        if kind == Kind.LEAD
        else PersonForm(request.POST, prefix="participant")
    )

    def change(actor: Actor) -> str:
        confirm = bool(form.cleaned_data.get("confirm_opt_in"))
        person = add_person(actor, order, kind, form.values(), source=_("workspace"), confirm_opt_in=confirm)
        return _("%(name)s is saved.") % {"name": person.display_name}

    return _change(request, membership, order, f"add:{kind}", form, change, anchor=f"{kind}s")


@seller_view
@require_POST
def person_edit(request: HttpRequest, membership: Membership, number: int, person_id: int) -> HttpResponse:
    order = order_or_404(membership, number)
    person = _person_or_404(order, person_id)
    form = EditPersonForm(request.POST, prefix=f"p{person.pk}")

    def change(actor: Actor) -> str:
        values: dict[str, object] = {**form.values(), "do_not_contact": form.cleaned_data["do_not_contact"]}
        changed = update_person(actor, person, values)
        return _("%(name)s is saved.") % {"name": changed.display_name}

    return _change(
        request, membership, order, f"edit:{person.pk}", form, change, anchor=f"person-{person.pk}"
    )


@seller_view
@require_POST
def person_remove(request: HttpRequest, membership: Membership, number: int, person_id: int) -> HttpResponse:
    order = order_or_404(membership, number)
    person = _person_or_404(order, person_id)

    def change(actor: Actor) -> str:
        remove_person(actor, person)
        return _("%(name)s is removed.") % {"name": person.display_name}

    return _change(request, membership, order, "", forms.Form(request.POST), change, anchor=f"{person.kind}s")


@seller_view
@require_POST
def person_convert(request: HttpRequest, membership: Membership, number: int, person_id: int) -> HttpResponse:
    order = order_or_404(membership, number)
    person = _person_or_404(order, person_id)

    def change(actor: Actor) -> str:
        lead = convert_to_lead(actor, person)
        return _("%(name)s is now a lead.") % {"name": lead.display_name}

    return _change(request, membership, order, "", forms.Form(request.POST), change, anchor="leads")


@seller_view
@require_POST
def person_call(request: HttpRequest, membership: Membership, number: int, person_id: int) -> HttpResponse:
    order = order_or_404(membership, number)
    person = _person_or_404(order, person_id)
    form = CallOutcomeForm(request.POST, prefix=f"call{person.pk}")

    def change(actor: Actor) -> str:
        data = form.cleaned_data
        record_call(actor, person, outcome=data["outcome"], values=form.values(), note=data["note"])
        return _("The call is recorded.")

    return _change(
        request, membership, order, f"call:{person.pk}", form, change, anchor=f"person-{person.pk}"
    )


@seller_view
@require_POST
def person_opt_in(request: HttpRequest, membership: Membership, number: int, person_id: int) -> HttpResponse:
    order = order_or_404(membership, number)
    person = _person_or_404(order, person_id)

    def change(actor: Actor) -> str:
        ask_opt_in(actor, person)
        return _("An email asks %(email)s to confirm.") % {"email": person.email}

    return _change(
        request, membership, order, "", forms.Form(request.POST), change, anchor=f"person-{person.pk}"
    )


@seller_view
@require_POST
def recipient_add(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = order_or_404(membership, number)
    form = RecipientForm(request.POST, seller_id=order.seller_id)

    def change(actor: Actor) -> str:
        data = form.cleaned_data
        add_recipient(actor, order, email=data["email"] or "", membership=data["membership"])
        return _("They will be told when participants or leads are added.")

    return _change(request, membership, order, "recipient", form, change, anchor="recipients")


@seller_view
@require_POST
def recipient_remove(
    request: HttpRequest, membership: Membership, number: int, recipient_id: int
) -> HttpResponse:
    order = order_or_404(membership, number)
    recipient = recipients_of(order).filter(pk=recipient_id).first()
    if recipient is None:
        raise Http404("No such recipient")

    def change(actor: Actor) -> str:
        remove_recipient(actor, recipient)
        return _("%(who)s will no longer be told.") % {"who": str(recipient)}

    return _change(request, membership, order, "", forms.Form(request.POST), change, anchor="recipients")
