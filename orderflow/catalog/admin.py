from django.contrib import admin

from orderflow.catalog.models import Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin[Item]):
    list_display = ["sku", "name", "seller", "kind", "unit_price", "availability"]
    list_filter = ["kind", "availability", "seller"]
    search_fields = ["sku", "name"]
