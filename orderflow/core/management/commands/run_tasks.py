"""`manage.py run_tasks`: django-tasks-db's `db_worker`, after scheduling the periodic jobs.

Every option of `db_worker` applies. Run as many as the load needs; each one schedules the periodic jobs
that have no run waiting when it starts (see `orderflow.core.periodic`)."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorker

from orderflow.core.periodic import ensure_scheduled


class Command(DbWorker):
    help = "Run background jobs (Django's task API, database backend) and keep the periodic ones scheduled."

    def handle(self, *args: Any, **options: Any) -> None:
        for path in ensure_scheduled():
            self.stdout.write(f"scheduled {path}")
        super().handle(*args, **options)
