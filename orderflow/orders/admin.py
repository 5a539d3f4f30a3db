"""Read-mostly admin: changes to orders go through the actions (and so the activity log), not here."""

from __future__ import annotations

from django.contrib import admin

from orderflow.orders.models import Order, OrderEvent, OrderLine, Refund


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class LineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("position", "description", "quantity", "unit_price", "backup_description", "status")


class EventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "type", "actor_name", "from_state", "to_state", "note")


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("created_at", "amount", "reason", "created_by_name")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "title",
        "seller",
        "order_type",
        "state",
        "customer",
        "assignee",
        "last_activity_at",
    )
    list_filter = ("seller", "order_type", "state_category", "archived")
    search_fields = ("title", "customer__name")
    list_select_related = ("seller", "order_type", "customer", "assignee__user")
    inlines = [LineInline, RefundInline, EventInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "order", "type", "actor_name", "from_state", "to_state")
    list_filter = ("seller", "type")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
