"""Imports of people from files, the mappings people chose, scheduled exports and downloads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Contact, Membership, Seller
from orderflow.orders.models import Order

KINDS = (("participant", _("Participants")), ("lead", _("Leads")))


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for the column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    TESTED = "tested", _("Tested, nothing saved")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused, nothing saved")


class PeopleImport(models.Model):
    """One upload of a file of participants or leads into an order, from its mapping to its counts.
    The file stays in the default storage until the import ran (or was abandoned); refused rows are
    written to a CSV file of their own, with a reason column."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="people_imports")
    kind = models.CharField(max_length=12, choices=KINDS)
    uploaded_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=8)  # csv, txt, xls, xlsx
    encoding = models.CharField(max_length=16, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    stored_file = models.CharField(max_length=255, blank=True)
    headers = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True, help_text="The first rows after the header")
    mapping = models.JSONField(default=dict, blank=True, help_text="Column index -> field")
    valid_only = models.BooleanField(
        default=False, help_text="Import the valid rows even if some are refused"
    )
    test_only = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="The first errors: {row, column, code, message}"
    )
    refused_file = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order", "-created_at"], name="transfers_import_order")]

    def __str__(self) -> str:
        return f"Import {self.pk} into order {self.order_id} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING) else 100
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.TESTED, ImportStatus.DONE, ImportStatus.FAILED)


class SavedMapping(models.Model):
    """The mapping someone last chose for a set of headers, offered again for the next file like it."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    who = models.CharField(max_length=40, help_text="staff:<membership id> or contact:<contact id>")
    header_key = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "who", "header_key"], name="transfers_mapping_once")
        ]

    def __str__(self) -> str:
        return f"Mapping of {self.who}"


class Frequency(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")


class ExportSchedule(models.Model):
    """An order's leads or participants exported on a schedule and sent to chosen staff (a link to the
    file in each recipient's downloads)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="export_schedules")
    kind = models.CharField(max_length=12, choices=KINDS)
    file_format = models.CharField(max_length=8, default="xlsx")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    recipients = models.ManyToManyField(Membership, related_name="+")
    paused = models.BooleanField(default=False)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["next_run_at", "id"]
        indexes = [models.Index(fields=["paused", "next_run_at"], name="transfers_schedule_due")]

    def __str__(self) -> str:
        return f"{self.frequency} export of order {self.order_id}"


class DownloadStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Download(models.Model):
    """A file written in the background for one staff member, kept in the default storage until it
    expires (then removed by a task)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="downloads")
    title = models.CharField(max_length=200)
    file_name = models.CharField(max_length=200)
    file_format = models.CharField(max_length=8)
    stored_file = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=DownloadStatus.choices, default=DownloadStatus.PENDING)
    request = models.JSONField(default=dict, blank=True, help_text="What to export: kind, orders, since")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["membership", "-created_at"], name="transfers_download_mine")]

    def __str__(self) -> str:
        return self.file_name
