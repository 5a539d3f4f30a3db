from django.contrib import admin

from orderflow.transfers.models import Download, ExportSchedule, PeopleImport


@admin.register(PeopleImport)
class PeopleImportAdmin(admin.ModelAdmin[PeopleImport]):
    list_display = [
        "id",
        "seller",
        "order",
        "kind",
        "status",
        "created_count",
        "updated_count",
        "failed_count",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    exclude = ["preview"]  # people's details; the counts and errors say what happened


@admin.register(ExportSchedule)
class ExportScheduleAdmin(admin.ModelAdmin[ExportSchedule]):
    list_display = ["id", "seller", "order", "kind", "frequency", "paused", "next_run_at"]


@admin.register(Download)
class DownloadAdmin(admin.ModelAdmin[Download]):
    list_display = ["id", "seller", "membership", "title", "status", "size", "expires_at"]
