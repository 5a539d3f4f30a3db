"""The catalogue settings page: the seller's items with search and filters, adding and editing an item
(with its log), marking it out of stock or available in one click, and importing a catalogue file.
Owners and managers change it; other staff see it (the actions refuse them anything else)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orderflow.accounts.models import Membership
from orderflow.catalog import selectors
from orderflow.catalog.actions import (
    create_item,
    may_manage_catalog,
    set_availability,
    start_catalog_import,
    update_item,
)
from orderflow.catalog.actions.items import ITEM_FIELDS, label, unknown_backup
from orderflow.catalog.models import Availability, Item, ItemEvent, ItemKind
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.web.access import render_seller, seller_view
from orderflow.web.catalog_forms import CatalogFileForm, CatalogFilterForm, ItemForm
from orderflow.web.forms import error_summary

PAGE_SIZE = 50
# An action's field -> the form's.
FORM_FIELDS = {"backup_item": "backup_sku"}


def _list_url(membership: Membership) -> str:
    return reverse("catalog", kwargs={"seller_slug": membership.seller.slug})


def _item_url(membership: Membership, item: Item) -> str:
    return reverse("catalog_item", kwargs={"seller_slug": membership.seller.slug, "item_id": item.pk})


def _item_or_404(membership: Membership, item_id: int) -> Item:
    item = selectors.item_of(membership.seller, item_id)
    if item is None:
        raise Http404("No such item")
    return item


@seller_view
@require_GET
def catalog(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _list_page(request, membership)


def _list_page(
    request: HttpRequest,
    membership: Membership,
    *,
    file_form: CatalogFileForm | None = None,
    status: int = 200,
) -> HttpResponse:
    filters = CatalogFilterForm(request.GET)
    items = selectors.search_items(membership.seller, **filters.filters())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "items": page.object_list,
        "can_manage": may_manage_catalog(Actor.staff(membership), membership.seller),
        "file_form": file_form or CatalogFileForm(),
        "imports": selectors.recent_imports(membership.seller),
        "back": request.GET.urlencode(),
        "kinds": ", ".join(ItemKind.values),
        "availabilities": ", ".join(Availability.values),
    }
    return render_seller(request, membership, "web/catalog.html", context, status=status)


def _values(form: ItemForm, membership: Membership) -> dict[str, Any]:
    """The form's values as the actions take them (the backup item found by its SKU)."""
    data = dict(form.cleaned_data)
    sku = data.pop("backup_sku").strip()
    backup = Item.objects.filter(seller=membership.seller, sku=sku).first() if sku else None
    if sku and backup is None:
        raise unknown_backup(sku).error()
    return {**data, "backup_item": backup, "unit_price": data["unit_price"] or None}


def _refused(request: HttpRequest, form: ItemForm, error: ActionError) -> int:
    field = FORM_FIELDS.get(error.details.get("field", ""), error.details.get("field", ""))
    if field in form.fields:
        form.add_error(field, error.message)
    else:
        messages.error(request, error.message)
    return error.status


def _event_summary(event: ItemEvent) -> str:
    summaries = {
        "created": _("Added to the catalogue"),
        "changed": _("Changed"),
        "availability_changed": _("Availability changed"),
        "discontinued": _("Discontinued"),
        "imported": _("Imported from a file"),
    }
    return summaries.get(event.type, event.type)


def _shown(field: str, value: str | None) -> str:
    if value is None or value == "":
        return "—"
    if field == "kind":
        return str(ItemKind(value).label) if value in ItemKind.values else value
    if field == "availability":
        return str(Availability(value).label) if value in Availability.values else value
    return value


def _log_entries(events: Iterable[ItemEvent]) -> list[dict[str, Any]]:
    """The item's log as the page shows it: what happened, who, when, each field's before -> after."""
    entries = []
    for event in events:
        before, after = event.data.get("before", {}), event.data.get("after", {})
        changes = [
            (
                label(field),
                _shown(field, before.get(field)) if field in before else None,
                _shown(field, value),
            )
            for field, value in after.items()
            if field in ITEM_FIELDS
        ]
        entries.append(
            {
                "summary": _event_summary(event),
                "at": event.created_at,
                "actor": event.actor_name,
                "changes": changes,
            }
        )
    return entries


@seller_view
@require_http_methods(["GET", "POST"])
def catalog_item_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = ItemForm(request.POST or None, seller=membership.seller)
    status = 400 if form.is_bound and not form.is_valid() else 200
    if form.is_bound and status == 200:
        try:
            item = create_item(membership.seller, actor=Actor.staff(membership), **_values(form, membership))
        except ActionError as error:
            status = _refused(request, form, error)
        else:
            messages.success(request, _("%(sku)s added to the catalogue.") % {"sku": item.sku})
            return redirect(_item_url(membership, item))
    context = {
        "form": form,
        "item": None,
        "can_manage": may_manage_catalog(Actor.staff(membership), membership.seller),
    }
    return render_seller(request, membership, "web/catalog_item.html", context, status=status)


@seller_view
@require_http_methods(["GET", "POST"])
def catalog_item(request: HttpRequest, membership: Membership, item_id: int) -> HttpResponse:
    """The item: its form (owners and managers) and its log."""
    item = _item_or_404(membership, item_id)
    form = ItemForm(request.POST or None, seller=membership.seller, item=item)
    status = 400 if form.is_bound and not form.is_valid() else 200
    if form.is_bound and status == 200:
        try:
            item = update_item(item, actor=Actor.staff(membership), changes=_values(form, membership))
        except ActionError as error:
            status = _refused(request, form, error)
        else:
            messages.success(request, _("%(sku)s saved.") % {"sku": item.sku})
            return redirect(_item_url(membership, item))
    context = {
        "form": form,
        "item": item,
        "log": _log_entries(selectors.item_log(item)[:100]),
        "can_manage": may_manage_catalog(Actor.staff(membership), membership.seller),
    }
    return render_seller(request, membership, "web/catalog_item.html", context, status=status)


@seller_view
@require_POST
def catalog_item_availability(request: HttpRequest, membership: Membership, item_id: int) -> HttpResponse:
    """One click: out of stock, or available again. Back to the list as it was filtered."""
    item = _item_or_404(membership, item_id)
    availability = request.POST.get("availability", "")
    try:
        item = set_availability(item, availability=availability, actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, error.message)
        if error.status == 403:
            return _list_page(request, membership, status=403)
    else:
        messages.success(
            request,
            _("%(sku)s is now %(availability)s.")
            % {"sku": item.sku, "availability": Availability(item.availability).label.lower()},
        )
    back = request.POST.get("back", "").replace("\n", "").replace("\r", "")
    if request.POST.get("to") == "item":
        return redirect(_item_url(membership, item))
    # `back` is the list's query string (filters, page), never a URL of its own.
    return redirect(f"{_list_url(membership)}?{back}" if back else _list_url(membership))


@seller_view
@require_POST
def catalog_import(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Judge the upload now (who, size, content); the rows are imported by a background task."""
    form = CatalogFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Nothing was imported. %(problem)s") % {"problem": error_summary(form)})
        return _list_page(request, membership, file_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        record = start_catalog_import(
            membership.seller, actor=Actor.staff(membership), file_name=upload.name or "", file=upload
        )
    except ActionError as error:
        form.add_error("file", error.message)
        messages.error(request, _("Nothing was imported. %(problem)s") % {"problem": error.message})
        return _list_page(request, membership, file_form=form, status=error.status)
    return redirect("catalog_import_detail", seller_slug=membership.seller.slug, import_id=record.pk)


@seller_view
@require_GET
def catalog_import_detail(request: HttpRequest, membership: Membership, import_id: int) -> HttpResponse:
    """An import's status and, when refused, its errors by row and column."""
    record = selectors.import_of(membership.seller, import_id)
    if record is None:
        raise Http404("No such import")
    return render_seller(request, membership, "web/catalog_import.html", {"record": record})
