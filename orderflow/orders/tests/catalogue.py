"""A small catalogue for the ordering tests (the catalogue's own actions live in the catalog app; these
tests need only items to point at)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orderflow.accounts.models import Seller
from orderflow.catalog.models import Availability, Item, ItemKind


def make_item(seller: Seller, sku: str, name: str, price: str | None = "10.00", **fields: Any) -> Item:
    fields.setdefault("tax_rate", Decimal("0"))
    return Item.objects.create(
        seller=seller,
        sku=sku,
        name=name,
        unit_price=None if price is None else Decimal(price),
        **fields,
    )


def small_catalogue(seller: Seller) -> dict[str, Item]:
    """Lager (taxed 15 %, with the pale ale as its suggested backup), pale ale, cider out of stock, an old
    stout discontinued, and a design visit priced on quote."""
    ale = make_item(seller, "ALE", "Pale ale keg", "120.00", unit="keg", tax_rate=Decimal("15"))
    lager = make_item(
        seller, "LAGER", "Lager keg", "100.00", unit="keg", tax_rate=Decimal("15"), backup_item=ale
    )
    cider = make_item(seller, "CIDER", "Cider case", "30.00", availability=Availability.OUT_OF_STOCK)
    stout = make_item(seller, "STOUT", "Old stout", "50.00", availability=Availability.DISCONTINUED)
    visit = make_item(seller, "VISIT", "Design visit", None, kind=ItemKind.QUOTE)
    return {"ale": ale, "lager": lager, "cider": cider, "stout": stout, "visit": visit}
