"""Reads of workflow versions that lists share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from orderflow.workflows.definition import Workflow, parse
from orderflow.workflows.models import WorkflowVersion


@dataclass(frozen=True)
class Published:
    """What a list shows of a workflow version: its number, and its parsed workflow (state labels)."""

    pk: int
    order_type_id: int
    number: int
    workflow: Workflow


# Version id -> what lists show of it. A version is never changed: saving it again raises, the admin
# shows it read-only, and editing a workflow publishes the next number. So each is read once per process.
# (An id could only come back with other content in a restored database, or a rolled-back test on SQLite:
# the version's order type is checked on use, and tests start with an empty cache.) Bounded, so that a
# process serving many sellers stays small.
_versions: dict[int, Published] = {}
_instances: dict[int, WorkflowVersion] = {}
MAX_CACHED = 2000


def versions_of(wanted: Mapping[int, int]) -> dict[int, Published]:
    """The versions by id, given each id's order type: at most one query, for those not read yet."""
    found: dict[int, Published] = {}
    for pk, order_type_id in wanted.items():
        cached = _versions.get(pk)
        if cached is not None and cached.order_type_id == order_type_id:
            found[pk] = cached
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        if len(_versions) + len(missing) > MAX_CACHED:
            _versions.clear()
        versions = WorkflowVersion.objects.filter(pk__in=missing)
        for row in versions.only("pk", "order_type_id", "number", "definition"):
            published = Published(row.pk, row.order_type_id, row.number, parse(row.definition))
            found[row.pk] = _versions[row.pk] = published
    return found


def workflow_version(pk: int, order_type_id: int) -> WorkflowVersion:
    """The version with this id (of this order type), read once per process: an action that holds an
    order under its lock takes the version from here rather than joining it (and decoding its kilobytes
    of JSON) on every change. Callers only read it."""
    cached = _instances.get(pk)
    if cached is None or cached.order_type_id != order_type_id:
        if len(_instances) >= MAX_CACHED:
            _instances.clear()
        cached = _instances[pk] = WorkflowVersion.objects.get(pk=pk)
    return cached


def forget_workflows() -> None:
    """Drop what `versions_of` and `workflow_version` read (for tests, whose rolled-back ids come back)."""
    _versions.clear()
    _instances.clear()
