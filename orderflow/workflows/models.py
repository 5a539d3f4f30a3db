"""Order types of a seller and the immutable, numbered versions of their workflow."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from orderflow.accounts.models import Seller
from orderflow.workflows.definition import Workflow, parse

# pk -> (definition, parsed). The definition is compared on use: ids can be reused (a restored
# database, rolled-back tests), and comparing two dicts is far cheaper than parsing again.
_parsed: dict[int, tuple[dict[str, Any], Workflow]] = {}


class OrderType(models.Model):
    """A kind of order a seller takes ("Wholesale order", "Custom doors"), with its current workflow."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="order_types")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    preset = models.CharField(max_length=60, blank=True, help_text="The preset it was installed from")
    options = models.JSONField(default=dict, blank=True, help_text="The seller's choices for the preset")
    current_version = models.ForeignKey(
        "WorkflowVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "key"], name="order_type_key_per_seller")]

    def __str__(self) -> str:
        return self.name


class WorkflowVersion(models.Model):
    """One published definition. Never changed: editing a workflow publishes the next number."""

    order_type = models.ForeignKey(OrderType, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order_type", "number"], name="workflow_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.order_type} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("A published workflow version is immutable; publish a new version instead")
        super().save(*args, **kwargs)

    @property
    def workflow(self) -> Workflow:
        """The parsed definition; versions are immutable, so parsing once per process is enough."""
        if self.pk is None:
            return parse(self.definition)
        cached = _parsed.get(self.pk)
        if cached is None or cached[0] != self.definition:
            cached = _parsed[self.pk] = (self.definition, parse(self.definition))
        return cached[1]
