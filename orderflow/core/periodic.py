"""Periodic jobs on Django's task API: expiries, scheduled exports, clean-ups.

`settings.PERIODIC_TASKS` maps a task's dotted path (a function decorated with `@task()` then
`@periodic`, in that order from the outside in) to its interval in seconds. Each run enqueues the next
one `interval` later when it ends, whether it succeeded or not, so a periodic job keeps exactly one run
waiting; `ensure_scheduled()` (called when `manage.py run_tasks` starts) enqueues the first run of every
job that has none waiting, which also mends a chain a crash broke. The jobs must be idempotent: two task
workers starting at once may each enqueue a first run.

Only a backend that can defer keeps the chain (django-tasks-db's does); with the immediate backend of the
tests a periodic job runs once, when called."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


def interval_of(path: str) -> dt.timedelta | None:
    seconds = getattr(settings, "PERIODIC_TASKS", {}).get(path)
    return dt.timedelta(seconds=seconds) if seconds else None


def periodic(func: Callable[P, T]) -> Callable[P, T]:
    """Make a task function enqueue its next run when it ends (see the module's docstring)."""

    path = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        finally:
            enqueue_next(path)

    return run


def _deferrable(task: Any) -> bool:
    return bool(task.get_backend().supports_defer)


def enqueue_next(path: str, now: dt.datetime | None = None) -> bool:
    interval = interval_of(path)
    if interval is None:
        return False
    task = import_string(path)
    if not _deferrable(task):
        return False
    task.using(run_after=(now or timezone.now()) + interval).enqueue()
    return True


def _waiting(path: str) -> bool:
    """Whether a run of `path` is waiting or running (django-tasks-db's results; other backends: no)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists()


def ensure_scheduled() -> list[str]:
    """Enqueue, to run now, every periodic job that has no run waiting. Returns the paths enqueued."""
    enqueued = []
    for path in getattr(settings, "PERIODIC_TASKS", {}):
        task = import_string(path)
        if not _deferrable(task) or _waiting(path):
            continue
        task.enqueue()
        enqueued.append(path)
        logger.info("periodic job %s scheduled", path)
    return enqueued
