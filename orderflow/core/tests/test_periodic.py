"""Periodic jobs keep exactly one run waiting: the worker schedules the first, each run the next."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from orderflow.core.periodic import ensure_scheduled, periodic

RUNS: list[str] = []


@task()
@periodic
def tidy() -> None:
    RUNS.append("tidy")


@task()
@periodic
def breaks() -> None:
    raise RuntimeError("the job failed")


TIDY = f"{__name__}.tidy"
BREAKS = f"{__name__}.breaks"

on_the_database_backend = override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    PERIODIC_TASKS={TIDY: 3600, BREAKS: 60},
)


def waiting(path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path, status="READY"))


@pytest.mark.django_db
@on_the_database_backend
def test_the_worker_schedules_each_job_once():
    assert sorted(ensure_scheduled()) == sorted([TIDY, BREAKS])
    assert ensure_scheduled() == []
    assert len(waiting(TIDY)) == 1
    assert len(waiting(BREAKS)) == 1


@pytest.mark.django_db
@on_the_database_backend
def test_a_run_enqueues_the_next_one_interval_later():
    before = timezone.now()
    tidy.call()
    assert RUNS[-1] == "tidy"
    [next_run] = waiting(TIDY)
    assert (
        before + dt.timedelta(seconds=3600)
        <= next_run.run_after
        <= timezone.now() + dt.timedelta(seconds=3600)
    )
    assert ensure_scheduled() == [BREAKS]


@pytest.mark.django_db
@on_the_database_backend
def test_a_failed_run_still_enqueues_the_next_one():
    with pytest.raises(RuntimeError):
        breaks.call()
    assert len(waiting(BREAKS)) == 1


@pytest.mark.django_db
@override_settings(PERIODIC_TASKS={TIDY: 3600})
def test_the_immediate_backend_runs_a_job_once_without_chaining():
    ensure_scheduled()
    tidy.enqueue()
    assert not DBTaskResult.objects.exists()
