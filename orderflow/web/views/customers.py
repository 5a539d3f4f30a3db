"""The seller's customers: the list with its search, a customer's page (details, staff notes, orders,
contacts, log), adding and changing a customer or a contact, deactivating and reactivating a contact.
Another seller's customer, and another customer's contact, answer 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from orderflow.accounts import actions
from orderflow.accounts.models import Contact, Customer, CustomerEvent, Membership
from orderflow.accounts.selectors import (
    contact_for_staff,
    customer_for_staff,
    customer_log,
    customers_matching,
)
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications import windows
from orderflow.notifications.channels import registry
from orderflow.notifications.selectors import seller_settings
from orderflow.orders.selectors import OrderFilters, order_list, with_workflow_versions
from orderflow.web.access import render_seller, seller_view
from orderflow.web.customer_forms import (
    ContactForm,
    CustomerForm,
    CustomerSearchForm,
    add_action_error,
    time_zone_names,
)

PAGE_SIZE = 25
ORDERS_SHOWN = 20


def _customer(membership: Membership, customer_id: int) -> Customer:
    customer = customer_for_staff(membership.seller, customer_id)
    if customer is None:
        raise Http404("No such customer")
    return customer


def _contact(membership: Membership, customer_id: int, contact_id: int) -> Contact:
    contact = contact_for_staff(membership.seller, customer_id, contact_id)
    if contact is None:
        raise Http404("No such contact")
    return contact


@seller_view
def customers(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = CustomerSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(customers_matching(membership.seller, search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "customers": page.object_list, "search": search}
    return render_seller(request, membership, "web/customers.html", context)


@seller_view
def customer_detail(request: HttpRequest, membership: Membership, customer_id: int) -> HttpResponse:
    customer = _customer(membership, customer_id)
    orders = order_list(membership.seller, OrderFilters(customer=customer, include_archived=True))
    contacts = [
        (contact, _hours_of(contact)) for contact in customer.contacts.all()
    ]  # active first (the selector's order)
    context = {
        "customer": customer,
        "contacts": contacts,
        "orders": with_workflow_versions(orders[:ORDERS_SHOWN]),
        "order_count": orders.count(),
        "log": [{"event": event, "changes": _changes(event)} for event in customer_log(customer)],
    }
    return render_seller(request, membership, "web/customer_detail.html", context)


FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "kind": gettext_lazy("Kind"),
    "reference": gettext_lazy("Account number"),
    "notes": gettext_lazy("Notes"),
    "email_domains": gettext_lazy("Email domains"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "locale": gettext_lazy("Language"),
    "time_zone": gettext_lazy("Time zone"),
    "preferred_channels": gettext_lazy("Preferred channels"),
    "messenger_url": gettext_lazy("Messenger chat (Apprise URL)"),
    "hours": gettext_lazy("Delivery hours"),
}


def _changes(event: CustomerEvent) -> list[tuple[str, str, str]]:
    """(label, before, after) of each value a log line says changed."""
    rows = []
    for field, values in (event.data.get("changes") or {}).items():
        before, after = (_shown(field, value) for value in values)
        rows.append((str(FIELD_LABELS.get(field, field)), before, after))
    return rows


def _shown(field: str, value: object) -> str:
    if field in ("preferred_channels", "email_domains") and isinstance(value, list):
        return ", ".join(registry.label(v) if field == "preferred_channels" else str(v) for v in value)
    if field == "hours" and not value:
        return _("the seller's hours")
    return str(value)


def _hours_of(contact: Contact) -> str:
    """Their own hours in words; "" when the seller's apply (schedule selected with the contact)."""
    own = getattr(getattr(contact, "schedule", None), "schedule", None)
    return windows.describe(own) if own is not None else ""


@seller_view
@require_http_methods(["GET", "POST"])
def customer_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = CustomerForm(request.POST or None)
    return _save_customer(request, membership, form, None)


@seller_view
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, membership: Membership, customer_id: int) -> HttpResponse:
    customer = _customer(membership, customer_id)
    form = CustomerForm(request.POST or None, customer=customer)
    return _save_customer(request, membership, form, customer)


def _save_customer(
    request: HttpRequest, membership: Membership, form: CustomerForm, customer: Customer | None
) -> HttpResponse:
    def save() -> Customer:
        actor = Actor.staff(membership)
        if customer is None:
            return actions.create_customer(membership.seller, actor=actor, **form.values())
        return actions.update_customer(customer, actor=actor, **form.values())

    context = {"form": form, "customer": customer}
    return _form_page(request, membership, form, save, "web/customer_form.html", context)


@seller_view
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, membership: Membership, customer_id: int) -> HttpResponse:
    customer = _customer(membership, customer_id)
    form = ContactForm(request.POST or None, seller_hours=seller_settings(membership.seller).default_window)

    def save() -> Customer:
        actions.create_contact(customer, actor=Actor.staff(membership), **form.values())
        return customer

    context = {"form": form, "customer": customer, "contact": None, "time_zones": time_zone_names()}
    return _form_page(request, membership, form, save, "web/contact_form.html", context)


@seller_view
@require_http_methods(["GET", "POST"])
def contact_edit(
    request: HttpRequest, membership: Membership, customer_id: int, contact_id: int
) -> HttpResponse:
    contact = _contact(membership, customer_id, contact_id)
    form = ContactForm(
        request.POST or None, contact=contact, seller_hours=seller_settings(membership.seller).default_window
    )

    def save() -> Customer:
        actions.update_contact(contact, actor=Actor.staff(membership), **form.values())
        return contact.customer

    context = {
        "form": form,
        "customer": contact.customer,
        "contact": contact,
        "time_zones": time_zone_names(),
    }
    return _form_page(request, membership, form, save, "web/contact_form.html", context)


def _form_page(
    request: HttpRequest,
    membership: Membership,
    form: CustomerForm | ContactForm,
    save: Callable[[], Customer],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Show the form; on a valid POST run `save` and go to the customer's page. A refusal is shown on
    the fields it names, and nothing is saved."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                customer = save()
            except ActionError as error:
                add_action_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Saved."))
                return redirect(
                    "customer_detail", seller_slug=membership.seller.slug, customer_id=customer.pk
                )
        messages.error(request, _("Nothing was saved: see the fields marked below."))
    return render_seller(request, membership, template, context, status=status)


@seller_view
@require_POST
def contact_deactivate(
    request: HttpRequest, membership: Membership, customer_id: int, contact_id: int
) -> HttpResponse:
    contact = _contact(membership, customer_id, contact_id)
    try:
        actions.deactivate_contact(contact, actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is deactivated: their links and portal login no longer work.")
            % {"name": contact.name},
        )
    return redirect("customer_detail", seller_slug=membership.seller.slug, customer_id=customer_id)


@seller_view
@require_POST
def contact_reactivate(
    request: HttpRequest, membership: Membership, customer_id: int, contact_id: int
) -> HttpResponse:
    contact = _contact(membership, customer_id, contact_id)
    try:
        actions.reactivate_contact(contact, actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is active again.") % {"name": contact.name})
    return redirect("customer_detail", seller_slug=membership.seller.slug, customer_id=customer_id)
