"""Withdrawing what messages let a customer do without logging in: the links to one order, every link
of the contact who placed it, or the contact as a whole (deactivated: their links and portal login stop).
Each is one POST from the order page, calling its action."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orderflow.accounts.actions import deactivate_contact
from orderflow.accounts.models import Contact, Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.actions import revoke_contact_links, revoke_order_links
from orderflow.orders.models import Order
from orderflow.web.access import order_or_404, seller_view


def _on_order(
    request: HttpRequest, membership: Membership, number: int, change: Callable[[Order, Actor], str]
) -> HttpResponse:
    order = order_or_404(membership, number)
    try:
        messages.success(request, change(order, Actor.staff(membership)))
    except ActionError as error:
        messages.error(request, error.message)
    return redirect("order_detail", seller_slug=membership.seller.slug, number=order.number)


def _placed_by(order: Order) -> Contact:
    if order.placed_by is None:
        raise Http404("No contact placed this order")
    return order.placed_by


@seller_view
@require_POST
def order_links_revoke(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    def change(order: Order, actor: Actor) -> str:
        count = revoke_order_links(order, actor=actor)
        return _("%(count)d link(s) to this order withdrawn.") % {"count": count}

    return _on_order(request, membership, number, change)


@seller_view
@require_POST
def contact_links_revoke(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    def change(order: Order, actor: Actor) -> str:
        contact = _placed_by(order)
        count = revoke_contact_links(contact, actor=actor)
        return _("%(count)d link(s) of %(name)s withdrawn.") % {"count": count, "name": contact.name}

    return _on_order(request, membership, number, change)


@seller_view
@require_POST
def contact_deactivate(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    def change(order: Order, actor: Actor) -> str:
        contact = deactivate_contact(_placed_by(order), actor=actor)
        return _("%(name)s is deactivated: their links and portal login no longer work.") % {
            "name": contact.name
        }

    return _on_order(request, membership, number, change)
