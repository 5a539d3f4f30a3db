"""Customer confirmations on the staff side (source article 003): the terms and conditions page, sending
a quote's confirmation to a contact in the customer's domain (adding the contact on the spot), revoking
it, and progressing the quote into the order once accepted. Each POST calls its action."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from orderflow.accounts.actions import create_contact
from orderflow.accounts.models import Contact, Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.orders.models import Order
from orderflow.quotes.actions.confirmations import (
    candidates,
    check_open,
    progress_quote,
    revoke_confirmation,
    send_confirmation,
)
from orderflow.quotes.actions.terms import (
    MAX_BODY,
    MAX_TITLE,
    current_terms,
    may_publish_terms,
    publish_terms,
)
from orderflow.quotes.models import Acceptance, Confirmation, ConfirmationStatus, Quote, Terms
from orderflow.quotes.pdf import acceptance_pdf
from orderflow.quotes.selectors import quote_of
from orderflow.web.access import order_or_404, render_seller, seller_view
from orderflow.web.forms import error_summary


class TermsForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=MAX_TITLE)
    body = forms.CharField(
        label=gettext_lazy("Terms and conditions"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=gettext_lazy("Publishing makes a new version; confirmations already accepted keep theirs."),
    )


class SendForm(forms.Form):
    contact = forms.IntegerField(label=gettext_lazy("Contact"), widget=forms.HiddenInput)


class NewContactForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Email address"))


@seller_view
@require_http_methods(["GET", "POST"])
def terms_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    seller = membership.seller
    actor = Actor.staff(membership)
    if not may_publish_terms(actor, seller):
        raise PermissionDenied("Only an owner or manager can publish the terms")
    current = current_terms(seller)
    form = TermsForm(
        request.POST or None, initial={"title": current.title, "body": current.body} if current else {}
    )
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ActionError("invalid", error_summary(form))
            terms = publish_terms(
                seller, title=form.cleaned_data["title"], body=form.cleaned_data["body"], actor=actor
            )
        except ActionError as error:
            messages.error(request, _("Nothing was published. %(problem)s") % {"problem": error.message})
            status = error.status
        else:
            messages.success(
                request, _("Version %(version)s of your terms is published.") % {"version": terms.version}
            )
            return redirect("terms_settings", seller_slug=seller.slug)
    context = {
        "form": form,
        "current": current,
        "versions": Terms.objects.filter(seller=seller).order_by("-version"),
    }
    return render_seller(request, membership, "web/terms.html", context, status=status)


def _quote(order: Order, version: int) -> Quote:
    quote = quote_of(order, version)
    if quote is None:
        raise Http404("No such quote")
    return quote


def _send_page(
    request: HttpRequest,
    membership: Membership,
    order: Order,
    quote: Quote,
    *,
    contact_form: NewContactForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "order": order,
        "quote": quote,
        "candidates": candidates(order),
        "terms": current_terms(order.seller_id),
        "contact_form": contact_form or NewContactForm(),
    }
    return render_seller(request, membership, "web/confirmation_new.html", context, status=status)


@seller_view
@require_http_methods(["GET", "POST"])
def confirmation_new(request: HttpRequest, membership: Membership, number: int, version: int) -> HttpResponse:
    order = order_or_404(membership, number)
    quote = _quote(order, version)
    if request.method != "POST":
        return _send_page(request, membership, order, quote)
    form = SendForm(request.POST)
    contact = Contact.objects.filter(pk=form.cleaned_data["contact"]).first() if form.is_valid() else None
    try:
        if contact is None:
            raise ActionError("contact_required", _("Select the contact to send the confirmation to."))
        confirmation = send_confirmation(quote, contact=contact, actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, _("Nothing was sent. %(problem)s") % {"problem": error.message})
        return _send_page(request, membership, order, quote, status=error.status)
    messages.success(
        request,
        _("The confirmation is on its way to %(name)s (%(email)s).")
        % {"name": confirmation.contact.name, "email": confirmation.contact.email},
    )
    return redirect(
        reverse("order_detail", kwargs={"seller_slug": order.seller.slug, "number": order.number})
        + "#confirmations-heading"
    )


@seller_view
@require_POST
def confirmation_add_contact(
    request: HttpRequest, membership: Membership, number: int, version: int
) -> HttpResponse:
    """ "Add contact" on the spot: the customers' own action, then back to choosing."""
    order = order_or_404(membership, number)
    quote = _quote(order, version)
    form = NewContactForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionError("invalid", error_summary(form))
        contact = create_contact(
            order.customer,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            locale=order.seller.locale,
            time_zone=order.seller.time_zone,
            actor=Actor.staff(membership),
        )
    except ActionError as error:
        messages.error(request, _("The contact was not added. %(problem)s") % {"problem": error.message})
        return _send_page(request, membership, order, quote, contact_form=form, status=error.status)
    messages.success(
        request,
        _("%(name)s is a contact of %(customer)s now.")
        % {"name": contact.name, "customer": order.customer.name},
    )
    return redirect(
        "confirmation_new", seller_slug=order.seller.slug, number=order.number, version=quote.version
    )


def _confirmation(order: Order, confirmation_id: int) -> Confirmation:
    found = Confirmation.objects.filter(order=order, pk=confirmation_id).select_related("contact").first()
    if found is None:
        raise Http404("No such confirmation")
    return found


def _back(order: Order) -> HttpResponse:
    return redirect(
        reverse("order_detail", kwargs={"seller_slug": order.seller.slug, "number": order.number})
        + "#confirmations-heading"
    )


@seller_view
@require_POST
def confirmation_revoke(
    request: HttpRequest, membership: Membership, number: int, confirmation_id: int
) -> HttpResponse:
    order = order_or_404(membership, number)
    confirmation = _confirmation(order, confirmation_id)
    try:
        revoke_confirmation(confirmation, actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The confirmation sent to %(name)s is withdrawn: its link no longer works.")
            % {"name": confirmation.contact.name},
        )
    return _back(order)


@seller_view
@require_POST
def quote_progress(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = order_or_404(membership, number)
    try:
        progress_quote(order, actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The quote is progressed into the order: its lines are the order's now."))
    return _back(order)


@seller_view
def acceptance_file(
    request: HttpRequest, membership: Membership, number: int, confirmation_id: int
) -> FileResponse:
    order = order_or_404(membership, number)
    acceptance = Acceptance.objects.filter(order=order, confirmation_id=confirmation_id).first()
    if acceptance is None:
        raise Http404("Not accepted")
    name, content, mimetype = acceptance_pdf(acceptance, locale=membership.reading_language)
    return FileResponse(iter([content]), as_attachment=True, filename=name, content_type=mimetype)


def order_section(order: Order) -> dict[str, object]:
    """What the order page shows of confirmations: the latest quote to send, each confirmation with
    its evidence once accepted, and whether the quote can be progressed (four queries)."""
    quote = Quote.objects.filter(order=order).order_by("-version").first()
    confirmations = list(
        Confirmation.objects.filter(order=order)
        .select_related("contact", "quote", "acceptance__terms")
        .order_by("-created_at", "-pk")
    )
    for confirmation in confirmations:
        # A link still "sent" may no longer be usable: its quote expired or was revised since.
        confirmation.closed_reason = ""  # type: ignore[attr-defined]
        if confirmation.status == ConfirmationStatus.SENT:
            confirmation.order = order
            try:
                check_open(confirmation)
            except ActionError as error:
                confirmation.closed_reason = error.message  # type: ignore[attr-defined]
    accepted = [c for c in confirmations if hasattr(c, "acceptance")]
    return {
        "quote": quote,
        "items": confirmations,
        "can_progress": any(c.progressed_at is None for c in accepted) and not order.is_final,
        # Also before any quote, where the workflow confirms quotes with the customer (003).
        "shown": quote is not None
        or bool(confirmations)
        or any(t.auto == "confirmation_sent" for t in order.workflow.transitions),
    }
