"""What a seller offers: products, flat-fee services and requests for quote, with their price, tax,
availability and suggested backup item. Orders copy what they need from an item when they are placed
(description, price, tax), so changing the catalogue never rewrites an order."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Seller
from orderflow.core.immutable import AppendOnly
from orderflow.workflows.models import OrderType


def search_key(text: str) -> str:
    """Text as searches compare it: without accents, case-folded ("Éponge" -> "eponge"). Stored on
    each item, so a search is a plain `contains` that behaves alike on SQLite (whose LIKE folds only
    ASCII) and PostgreSQL."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


class ItemKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    FLAT_FEE = "flat_fee", _("Flat-fee service")
    QUOTE = "quote", _("Request for quote")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    DISCONTINUED = "discontinued", _("Discontinued")


class Item(models.Model):
    """One thing a seller offers. A request for quote has no price: the quote sets it."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="catalog_items")
    sku = models.CharField(_("SKU"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices, default=ItemKind.PRODUCT)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("e.g. keg, case, hour, door"))
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("In the seller's currency; empty for a request for quote"),
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    availability = models.CharField(
        _("availability"), max_length=16, choices=Availability.choices, default=Availability.AVAILABLE
    )
    backup_item = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("suggested backup item"),
        help_text=_("Offered to the customer in case this item is out of stock"),
    )
    order_type = models.ForeignKey(
        OrderType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="catalog_items",
        verbose_name=_("order type"),
        help_text=_("The kind of order this item is ordered under; empty: the seller's first"),
    )
    search_text = models.TextField(editable=False, default="", help_text="search_key of SKU and name")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        constraints = [models.UniqueConstraint(fields=["seller", "sku"], name="catalog_sku_per_seller")]
        indexes = [models.Index(fields=["seller", "name"])]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = self.searchable()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def searchable(self) -> str:
        """What `search_text` holds (bulk writes, which skip save(), set it from this)."""
        return search_key(f"{self.sku} {self.name}")

    @property
    def currency(self) -> str:
        return self.seller.currency

    @property
    def orderable(self) -> bool:
        """Whether a customer may put it on a new order at all (out of stock: only with backorders)."""
        if self.availability == Availability.DISCONTINUED:
            return False
        if self.availability == Availability.OUT_OF_STOCK:
            return self.seller.allow_backorders
        return True


class ItemEvent(AppendOnly):
    """One line of a catalogue item's log: created, changed (with before and after), availability
    changed, imported. Appended in the same transaction as the change; never edited."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=24)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    data = models.JSONField(default=dict, blank=True, help_text="Before and after of what changed")
    created_at = models.DateTimeField(db_index=True)

    append_only_name = "The catalogue log"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type} on {self.item_id}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused")


class CatalogImport(models.Model):
    """One upload of a catalogue file and what became of it. The file's content is kept here until the
    background task has read it; the task imports every row or none."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="catalog_imports")
    uploaded_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=8)  # csv, xlsx, xls
    content = models.BinaryField()
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    row_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="The first errors: {row, column, code, message}"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Catalogue import {self.pk} of {self.seller_id} ({self.status})"
