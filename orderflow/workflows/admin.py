from __future__ import annotations

from django.contrib import admin

from orderflow.workflows.models import OrderType, WorkflowVersion


class WorkflowVersionInline(admin.TabularInline):
    model = WorkflowVersion
    fields = ("number", "note", "created_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(OrderType)
class OrderTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "seller", "key", "preset", "current_version", "is_active")
    list_filter = ("seller", "preset")
    readonly_fields = ("current_version", "preset", "options")
    inlines = [WorkflowVersionInline]


@admin.register(WorkflowVersion)
class WorkflowVersionAdmin(admin.ModelAdmin):
    list_display = ("order_type", "number", "note", "created_at")
    readonly_fields = ("order_type", "number", "definition", "note", "created_by", "created_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
