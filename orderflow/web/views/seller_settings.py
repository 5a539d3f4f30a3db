"""The seller's own settings (owners and managers): the business (name, time zone, language, currency,
backorders), each order type's preset options (the shop's pickup or delivery), and the carriers its
shipments go with. Each form posts to its own view, which calls its action."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orderflow.accounts.actions import update_seller
from orderflow.accounts.models import Membership, Role
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.orders.actions import add_carrier, set_carrier_active
from orderflow.orders.models import Carrier
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import error_summary
from orderflow.web.seller_forms import CarrierForm, OptionsForm, SellerForm
from orderflow.workflows.actions import set_order_type_options
from orderflow.workflows.models import OrderType


def _manager(membership: Membership) -> None:
    if membership.role not in (Role.OWNER, Role.MANAGER):
        raise PermissionDenied("Only an owner or manager can change the seller's settings")


def _has_orders(membership: Membership) -> bool:
    return membership.seller.order_counter > 0


def _order_types(membership: Membership) -> list[OrderType]:
    return list(OrderType.objects.filter(seller=membership.seller, is_active=True).order_by("name"))


def _url(membership: Membership, anchor: str = "") -> str:
    url = reverse("seller_settings", kwargs={"seller_slug": membership.seller.slug})
    return f"{url}#{anchor}" if anchor else url


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    bound: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    seller = membership.seller
    has_orders = _has_orders(membership)
    seller_form = bound if isinstance(bound, SellerForm) else SellerForm(seller=seller, has_orders=has_orders)
    option_forms = []
    for order_type in _order_types(membership):
        form = bound if isinstance(bound, OptionsForm) and bound.order_type == order_type else None
        form = form or OptionsForm(order_type=order_type)
        option_forms.append({"order_type": order_type, "form": form})
    context = {
        "seller_form": seller_form,
        "has_orders": has_orders,
        "option_forms": option_forms,
        "carriers": Carrier.objects.filter(seller=seller),
        "carrier_form": bound if isinstance(bound, CarrierForm) else CarrierForm(),
    }
    return render_seller(request, membership, "web/seller_settings.html", context, status=status)


def _apply(
    request: HttpRequest,
    membership: Membership,
    form: forms.Form,
    change: Callable[[], str],
    anchor: str,
) -> HttpResponse:
    """Validate, call the action, and back to the page (again with the form and the reason if refused)."""
    if not form.is_valid():
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, bound=form, status=400)
    try:
        done = change()
    except ActionError as error:
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": error.message})
        field = error.details.get("field")
        form.add_error(field if field in form.fields else None, error.message)
        return _page(request, membership, bound=form, status=error.status)
    messages.success(request, done)
    return redirect(_url(membership, anchor))


@seller_view
@require_http_methods(["GET", "POST"])
def seller_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    _manager(membership)
    if request.method != "POST":
        return _page(request, membership)
    seller = membership.seller
    form = SellerForm(request.POST, seller=seller, has_orders=_has_orders(membership))

    def change() -> str:
        data = form.cleaned_data
        update_seller(
            seller,
            actor=Actor.staff(membership),
            name=data["name"],
            time_zone=data["time_zone"],
            locale=data["locale"],
            currency=data["currency"],
            allow_backorders=data["allow_backorders"],
        )
        return _("The seller's settings are saved.")

    return _apply(request, membership, form, change, "business-heading")


@seller_view
@require_POST
def order_type_options(request: HttpRequest, membership: Membership, order_type_id: int) -> HttpResponse:
    _manager(membership)
    order_type = next((t for t in _order_types(membership) if t.pk == order_type_id), None)
    if order_type is None:
        raise Http404("No such order type")
    form = OptionsForm(request.POST, order_type=order_type)

    def change() -> str:
        options = {name: str(value) for name, value in form.cleaned_data.items()}
        if options == {name: field.initial for name, field in form.fields.items()}:
            return _("Nothing changed.")
        version = set_order_type_options(order_type, options=options, actor=Actor.staff(membership))
        return _(
            "%(order_type)s: saved as workflow version %(number)s. Orders already placed keep the "
            "version they started on."
        ) % {"order_type": order_type.name, "number": version.number}

    return _apply(request, membership, form, change, f"type-{order_type.pk}")


@seller_view
@require_POST
def carrier_add(request: HttpRequest, membership: Membership) -> HttpResponse:
    _manager(membership)
    form = CarrierForm(request.POST)

    def change() -> str:
        data = form.cleaned_data
        actor = Actor.staff(membership)
        carrier = add_carrier(
            membership.seller, name=data["name"], url_pattern=data["url_pattern"], actor=actor
        )
        return _("Carrier %(name)s added.") % {"name": carrier.name}

    return _apply(request, membership, form, change, "carriers-heading")


@seller_view
@require_POST
def carrier_toggle(request: HttpRequest, membership: Membership, carrier_id: int) -> HttpResponse:
    _manager(membership)
    carrier = Carrier.objects.filter(seller=membership.seller, pk=carrier_id).first()
    if carrier is None:
        raise Http404("No such carrier")
    try:
        set_carrier_active(carrier, active=not carrier.is_active, actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        if carrier.is_active:
            messages.success(request, _("%(name)s is offered again.") % {"name": carrier.name})
        else:
            messages.success(request, _("%(name)s is no longer offered.") % {"name": carrier.name})
    return redirect(_url(membership, "carriers-heading"))
