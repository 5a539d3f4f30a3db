"""One order: its page, and one small POST view per change, each calling its action.

A change that the action refuses leaves the order as it was: the page is shown again with the
message (and the form as it was filled in), or, when someone else changed the order meanwhile,
reloaded so the person sees what changed before trying again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orderflow.accounts.actions import invite_contact, unlock_login
from orderflow.accounts.models import Contact, Membership
from orderflow.accounts.selectors import contact_login
from orderflow.conversations.actions import post_message
from orderflow.conversations.files import download
from orderflow.conversations.selectors import attachment_for_staff, thread_for_staff
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict
from orderflow.core.formatting import day, money
from orderflow.leads.selectors import counts_of
from orderflow.orders.actions import (
    archive_order,
    assign_order,
    available_transitions,
    can_archive,
    cancel_order,
    edit_internal_notes,
    mark_seen,
    record_shipment,
    refund_order,
    set_estimated_completion,
    transition_order,
)
from orderflow.orders.actions.lines import add_line, edit_line, remove_line
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.selectors import catalogue_for_ordering, order_for_staff
from orderflow.web.access import render_seller, seller_view
from orderflow.web.activity import activity, notification_trace, order_extras
from orderflow.web.forms import (
    ArchiveForm,
    AssignForm,
    CancelForm,
    EstimateForm,
    MessageForm,
    NotesForm,
    RefundForm,
    TransitionForm,
    attached,
    error_summary,
)
from orderflow.web.order_forms import LineAddForm, LineEditForm, LineRemoveForm
from orderflow.web.seller_forms import ShipmentForm

Change = Callable[[Mapping[str, Any], Actor], str]


def _order_or_404(membership: Membership, number: int) -> Order:
    order = order_for_staff(membership.seller, number)
    if order is None:
        raise Http404("No such order")
    return order


@seller_view
def order_detail(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)
    # The first staff open records "seen" (distributor: Sent -> Seen); later opens change nothing.
    if mark_seen(order, actor=Actor.staff(membership)) is not order:
        order = _order_or_404(membership, number)
    return _page(request, membership, order)


def _page(
    request: HttpRequest,
    membership: Membership,
    order: Order,
    *,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The order page; `bound` puts back the form (by slot) that was just submitted, with its errors."""
    locale = membership.reading_language
    workflow = order.workflow
    slot, submitted = bound or ("", None)

    def form(name: str, fresh: forms.Form) -> forms.Form:
        return submitted if submitted is not None and slot == name else fresh

    transitions = [
        {
            "label": transition.label(locale),
            "transition": transition,
            "form": form(f"to:{transition.target}", TransitionForm(order=order, transition=transition)),
        }
        for transition in available_transitions(order, Actor.staff(membership))
        if transition.target != workflow.archive  # archiving has its own button (it also hides the order)
    ]
    lines_editable = order.lines_editable
    items = catalogue_for_ordering(order.seller) if lines_editable else []
    lines = [
        {
            "line": line,
            "form": form(f"line:{line.position}", LineEditForm(order=order, line=line, items=items)),
            "remove_form": form(f"remove:{line.position}", LineRemoveForm(order=order, line=line)),
        }
        for line in order.lines.all()
    ]
    open_for_changes = not order.is_final
    totals = order.totals()
    total, refunded = totals.total, order.refunded_total()
    context = {
        "order": order,
        "transitions": transitions,
        "lines": lines,
        "total": total,
        "totals": totals,
        "lines_editable": lines_editable,
        "add_line_form": form("add_line", LineAddForm(order=order, items=items)),
        "refunded": refunded,
        "refundable": total - refunded,
        "activity": activity(order, locale),
        "trace": notification_trace(order, locale),
        "open_for_changes": open_for_changes,
        "can_cancel": open_for_changes and workflow.can_cancel(order.state, "staff"),
        "can_archive": can_archive(order, Actor.staff(membership)),
        "assign_form": form("assign", AssignForm(order=order)),
        "estimate_form": form("estimate", EstimateForm(order=order)),
        "notes_form": form("notes", NotesForm(order=order)),
        "cancel_form": form("cancel", CancelForm(order=order)),
        "refund_form": form("refund", RefundForm(order=order)),
        "archive_form": form("archive", ArchiveForm(order=order)),
        "thread": thread_for_staff(order),
        "files_base": f"/s/{membership.seller.slug}/orders/{order.number}/files/",
        "message_form": form("message", MessageForm()),
        "contact_login": contact_login(order.placed_by) if order.placed_by else None,
        "shipment_form": form("shipment", ShipmentForm(order=order)),
        "extras": order_extras(order),
        "people_counts": counts_of(order),
    }
    return render_seller(request, membership, "web/order_detail.html", context, status=status)


def _apply(
    request: HttpRequest,
    membership: Membership,
    order: Order,
    slot: str,
    form: forms.Form,
    change: Change,
) -> HttpResponse:
    """Validate the form, make the change through its action, and go back to the order page."""
    if not form.is_valid():
        messages.error(request, _("Nothing was changed. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, order, bound=(slot, form), status=400)
    try:
        done = change(form.cleaned_data, Actor.staff(membership))
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("order_detail", seller_slug=membership.seller.slug, number=order.number)
    except ActionError as error:
        messages.error(request, error.message)
        return _page(request, membership, order, bound=(slot, form), status=error.status)
    messages.success(request, done)
    return redirect("order_detail", seller_slug=membership.seller.slug, number=order.number)


@seller_view
@require_POST
def order_transition(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)
    form = TransitionForm(request.POST, order=order)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        moved = transition_order(
            order, to=data["to"], note=data["note"], actor=actor, expected_version=data["version"]
        )
        return _("Status changed to %(state)s.") % {
            "state": moved.current_state.label(membership.reading_language)
        }

    return _apply(request, membership, order, f"to:{request.POST.get('to', '')}", form, change)


@seller_view
@require_POST
def order_assign(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        assignee = data["assignee"]
        assign_order(order, assignee=assignee, actor=actor, expected_version=data["version"])
        if assignee is None:
            return _("The order is now unassigned.")
        return _("Assigned to %(name)s.") % {"name": assignee.display_name}

    return _apply(request, membership, order, "assign", AssignForm(request.POST, order=order), change)


@seller_view
@require_POST
def order_estimate(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        date = data["estimated_completion"]
        set_estimated_completion(order, date=date, actor=actor, expected_version=data["version"])
        if not date:
            return _("Estimated completion cleared.")
        return _("Estimated completion set to %(date)s.") % {"date": day(date)}

    return _apply(request, membership, order, "estimate", EstimateForm(request.POST, order=order), change)


@seller_view
@require_POST
def order_notes(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        edit_internal_notes(
            order, notes=data["internal_notes"], actor=actor, expected_version=data["version"]
        )
        return _("Internal notes saved.")

    return _apply(request, membership, order, "notes", NotesForm(request.POST, order=order), change)


@seller_view
@require_POST
def order_line(request: HttpRequest, membership: Membership, number: int, position: int) -> HttpResponse:
    order = _order_or_404(membership, number)
    line = _line_or_404(order, position)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        edit_line(order, position=position, actor=actor, expected_version=data["version"], **form.changes())
        return _("Line %(number)s saved.") % {"number": position}

    form = LineEditForm(request.POST, order=order, line=line, items=catalogue_for_ordering(order.seller))
    return _apply(request, membership, order, f"line:{position}", form, change)


@seller_view
@require_POST
def order_line_add(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)
    form = LineAddForm(request.POST, order=order, items=catalogue_for_ordering(order.seller))

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        added = add_line(order, line=form.line(), actor=actor, expected_version=data["version"])
        return _("Line %(number)s added.") % {"number": added.position}

    return _apply(request, membership, order, "add_line", form, change)


@seller_view
@require_POST
def order_line_remove(
    request: HttpRequest, membership: Membership, number: int, position: int
) -> HttpResponse:
    order = _order_or_404(membership, number)
    line = _line_or_404(order, position)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        remove_line(order, position=position, actor=actor, expected_version=data["version"])
        return _("Line %(number)s removed.") % {"number": position}

    form = LineRemoveForm(request.POST, order=order, line=line)
    return _apply(request, membership, order, f"remove:{position}", form, change)


def _line_or_404(order: Order, position: int) -> OrderLine:
    line = next((line for line in order.lines.all() if line.position == position), None)
    if line is None:
        raise Http404("No such line")
    return line


@seller_view
@require_POST
def order_cancel(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        refund = data.get("refund_amount")
        cancel_order(
            order, reason=data["reason"], refund_amount=refund, actor=actor, expected_version=data["version"]
        )
        if not refund:
            return _("Order cancelled.")
        return _("Order cancelled and %(amount)s refunded.") % {"amount": money(refund, order.currency)}

    return _apply(request, membership, order, "cancel", CancelForm(request.POST, order=order), change)


@seller_view
@require_POST
def order_refund(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        refund = refund_order(order, amount=data["amount"], reason=data["reason"], actor=actor)
        return _("Refunded %(amount)s.") % {"amount": money(refund.amount, order.currency)}

    return _apply(request, membership, order, "refund", RefundForm(request.POST, order=order), change)


@seller_view
@require_POST
def order_archive(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        archive_order(order, actor=actor, expected_version=data["version"])
        return _("Order archived: it is hidden from the order list unless you show archived orders.")

    return _apply(request, membership, order, "archive", ArchiveForm(request.POST, order=order), change)


@seller_view
@require_POST
def order_message(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        files = attached(data["attachments"])
        post_message(order, body=data["body"], internal=data["internal"], files=files, actor=actor)
        if data["internal"]:
            return _("Internal note added.")
        return _("Message sent to %(customer)s.") % {"customer": order.customer.name}

    return _apply(request, membership, order, "message", MessageForm(request.POST, request.FILES), change)


@seller_view
def order_file(request: HttpRequest, membership: Membership, number: int, attachment_id: int) -> HttpResponse:
    """A file of the order's thread, as a download: any staff member of the seller may read it."""
    attachment = attachment_for_staff(_order_or_404(membership, number), attachment_id)
    if attachment is None:
        raise Http404("No such file")
    return download(attachment)


@seller_view
@require_POST
def order_shipment(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = _order_or_404(membership, number)

    def change(data: Mapping[str, Any], actor: Actor) -> str:
        shipment = record_shipment(
            order,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            estimated_delivery=data["estimated_delivery"],
            actor=actor,
            expected_version=data["version"],
        )
        return _("Shipment recorded: %(carrier)s %(number)s.") % {
            "carrier": shipment.carrier_name,
            "number": shipment.tracking_number,
        }

    return _apply(request, membership, order, "shipment", ShipmentForm(request.POST, order=order), change)


def _placed_by(membership: Membership, number: int) -> tuple[Order, Contact]:
    order = _order_or_404(membership, number)
    if order.placed_by is None:
        raise Http404("No contact placed this order")
    return order, order.placed_by


def _for_placer(
    request: HttpRequest,
    membership: Membership,
    number: int,
    act: Callable[[Contact], object],
    done: Callable[[Contact], str],
) -> HttpResponse:
    """Apply an action to the contact who placed the order, then back to the order with its outcome."""
    order, contact = _placed_by(membership, number)
    try:
        act(contact)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done(contact))
    return redirect("order_detail", seller_slug=membership.seller.slug, number=order.number)


@seller_view
@require_POST
def order_invite_contact(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    """Email the contact who placed the order an invitation to choose their portal password."""
    return _for_placer(
        request,
        membership,
        number,
        lambda contact: invite_contact(contact, actor=Actor.staff(membership)),
        lambda contact: _("Invitation sent to %(email)s.") % {"email": contact.email},
    )


@seller_view
@require_POST
def order_unlock_contact(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    """Lift the login lockout of the contact who placed the order (owners)."""
    return _for_placer(
        request,
        membership,
        number,
        lambda contact: unlock_login(contact, actor=Actor.staff(membership)),
        lambda contact: _("%(name)s can sign in again.") % {"name": contact.name},
    )
