"""The order's quote in the workspace: every version, the draft's editor, and one POST view per change
(start, save, send, revise, and accept or decline on the customer's behalf), each calling its action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict
from orderflow.orders.models import Order
from orderflow.orders.selectors import catalogue_for_ordering
from orderflow.quotes.actions import (
    accept_quote,
    create_quote,
    decline_quote,
    revise_quote,
    send_quote,
    update_quote,
)
from orderflow.quotes.models import Quote, QuoteStatus
from orderflow.quotes.selectors import quote_of, quotes_of
from orderflow.web.access import order_or_404, render_seller, seller_view
from orderflow.web.forms import error_summary
from orderflow.web.quote_forms import QuoteActForm, QuoteDeclineForm, QuoteForm


def _quote(order: Order, version: int) -> Quote:
    quote = quote_of(order, version)
    if quote is None:
        raise Http404("No such quote version")
    return quote


@seller_view
@require_GET
def order_quotes(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    return _page(request, membership, order_or_404(membership, number))


def _page(
    request: HttpRequest,
    membership: Membership,
    order: Order,
    *,
    bound: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    versions = quotes_of(order)
    latest = versions[0] if versions else None
    editor = None
    if latest is not None and latest.is_draft and not order.is_final:
        editor = bound if isinstance(bound, QuoteForm) else None
        editor = editor or QuoteForm(order=order, quote=latest, items=catalogue_for_ordering(order.seller))
    open_states = (QuoteStatus.DECLINED, QuoteStatus.EXPIRED, QuoteStatus.SUPERSEDED)
    context = {
        "order": order,
        "versions": versions,
        "latest": latest,
        "editor": editor,
        "can_start": not order.is_final and (latest is None or latest.status in open_states),
        "act_form": QuoteActForm(order=order, key="quote_act"),
        "decline_form": bound
        if isinstance(bound, QuoteDeclineForm)
        else (QuoteDeclineForm(order=order, quote=latest) if latest else None),
    }
    return render_seller(request, membership, "web/order_quotes.html", context, status=status)


def _apply(
    request: HttpRequest,
    membership: Membership,
    order: Order,
    form: forms.Form,
    change: Callable[[dict[str, Any], Actor], str],
) -> HttpResponse:
    """Validate the form, make the change through its action, and go back to the quotes page."""
    back = redirect("order_quotes", seller_slug=membership.seller.slug, number=order.number)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, order, bound=form, status=400)
    try:
        done = change(form.cleaned_data, Actor.staff(membership))
    except Conflict as error:
        messages.error(request, error.message)
        return back
    except ActionError as error:
        messages.error(request, error.message)
        return _page(request, membership, order, bound=form, status=error.status)
    messages.success(request, done)
    return back


@seller_view
@require_POST
def quote_new(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = order_or_404(membership, number)

    def change(data: dict[str, Any], actor: Actor) -> str:
        quote = create_quote(order, actor=actor, expected_version=data["version"])
        return _("Quote version %(version)s started.") % {"version": quote.version}

    return _apply(
        request, membership, order, QuoteActForm(request.POST, order=order, key="quote_act"), change
    )


@seller_view
@require_POST
def quote_save(request: HttpRequest, membership: Membership, number: int, version: int) -> HttpResponse:
    order = order_or_404(membership, number)
    quote = _quote(order, version)
    form = QuoteForm(request.POST, order=order, quote=quote, items=catalogue_for_ordering(order.seller))

    def change(data: dict[str, Any], actor: Actor) -> str:
        expires_on, completion_on = form.dates()
        update_quote(
            quote,
            actor=actor,
            lines=form.lines(),
            currency=data["currency"],
            expires_on=expires_on,
            completion_on=completion_on,
            notes=data["notes"],
            expected_version=data["version"],
        )
        return _("Quote version %(version)s saved.") % {"version": quote.version}

    return _apply(request, membership, order, form, change)


@seller_view
@require_POST
def quote_send(request: HttpRequest, membership: Membership, number: int, version: int) -> HttpResponse:
    order = order_or_404(membership, number)
    quote = _quote(order, version)

    def change(data: dict[str, Any], actor: Actor) -> str:
        send_quote(quote, actor=actor, expected_version=data["version"])
        return _("Quote version %(version)s sent to the customer.") % {"version": quote.version}

    return _apply(
        request, membership, order, QuoteActForm(request.POST, order=order, key="quote_act"), change
    )


@seller_view
@require_POST
def quote_revise(request: HttpRequest, membership: Membership, number: int, version: int) -> HttpResponse:
    order = order_or_404(membership, number)
    quote = _quote(order, version)

    def change(data: dict[str, Any], actor: Actor) -> str:
        revision = revise_quote(quote, actor=actor, expected_version=data["version"])
        return _("Quote version %(version)s started from version %(previous)s.") % {
            "version": revision.version,
            "previous": quote.version,
        }

    return _apply(
        request, membership, order, QuoteActForm(request.POST, order=order, key="quote_act"), change
    )


@seller_view
@require_POST
def quote_accept(request: HttpRequest, membership: Membership, number: int, version: int) -> HttpResponse:
    order = order_or_404(membership, number)
    quote = _quote(order, version)

    def change(data: dict[str, Any], actor: Actor) -> str:
        accept_quote(quote, actor=actor, expected_version=data["version"])
        return _("Quote version %(version)s accepted on the customer's behalf.") % {"version": quote.version}

    return _apply(
        request, membership, order, QuoteActForm(request.POST, order=order, key="quote_act"), change
    )


@seller_view
@require_POST
def quote_decline(request: HttpRequest, membership: Membership, number: int, version: int) -> HttpResponse:
    order = order_or_404(membership, number)
    quote = _quote(order, version)
    form = QuoteDeclineForm(request.POST, order=order, quote=quote)

    def change(data: dict[str, Any], actor: Actor) -> str:
        decline_quote(quote, actor=actor, reason=data["reason"], expected_version=data["version"])
        return _("Quote version %(version)s declined on the customer's behalf.") % {"version": quote.version}

    return _apply(request, membership, order, form, change)
