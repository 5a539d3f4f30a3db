"""Reads of a seller's catalogue, shared by the workspace, the portal and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from orderflow.accounts.models import Seller
from orderflow.catalog.models import Availability, CatalogImport, Item, ItemEvent, search_key


def search_items(seller: Seller, *, q: str = "", kind: str = "", availability: str = "") -> QuerySet[Item]:
    """The seller's items by name, SKU then id: `q` in the SKU or name (any case, any accents), of one
    kind and availability when given."""
    items = Item.objects.filter(seller=seller).select_related("seller", "backup_item", "order_type")
    words = search_key(q).split()
    for word in words:
        items = items.filter(search_text__contains=word)
    if kind:
        items = items.filter(kind=kind)
    if availability:
        items = items.filter(availability=availability)
    return items.order_by("name", "sku", "pk")


def item_of(seller: Seller, item_id: int) -> Item | None:
    """One of the seller's items; None for another seller's (a 404 to every surface)."""
    return (
        Item.objects.filter(seller=seller, pk=item_id)
        .select_related("seller", "backup_item", "order_type")
        .first()
    )


def items_for_customers(seller: Seller, *, q: str = "") -> QuerySet[Item]:
    """What customers browse: every item but the discontinued ones. Out-of-stock items are listed (as
    such); `Item.orderable` says whether they can be ordered (only with backorders)."""
    return search_items(seller, q=q).exclude(availability=Availability.DISCONTINUED)


def orderable_items(seller: Seller, *, q: str = "") -> QuerySet[Item]:
    """The items a customer can put on a new order now."""
    allowed = Q(availability=Availability.AVAILABLE)
    if seller.allow_backorders:
        allowed |= Q(availability=Availability.OUT_OF_STOCK)
    return search_items(seller, q=q).filter(allowed)


def item_log(item: Item) -> QuerySet[ItemEvent]:
    """The item's log, newest first."""
    return ItemEvent.objects.filter(item=item).select_related("actor_user").order_by("-created_at", "-id")


def recent_imports(seller: Seller, *, limit: int = 5) -> list[CatalogImport]:
    return list(
        CatalogImport.objects.filter(seller=seller)
        .defer("content")
        .select_related("uploaded_by__user")[:limit]
    )


def import_of(seller: Seller, import_id: int) -> CatalogImport | None:
    return CatalogImport.objects.filter(seller=seller, pk=import_id).defer("content").first()
