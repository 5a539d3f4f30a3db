"""Queue the periodic jobs of imports and exports: scheduled exports that are due, expired downloads to
remove. Run it from cron every few minutes, or with `--every SECONDS` as a long-running process (what
`make demo` does); `manage.py db_worker` runs the jobs it queues. Both jobs are safe to queue twice."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orderflow.transfers.actions.exports import purge_expired_downloads, run_due_schedules


class Command(BaseCommand):
    help = "Queue the due scheduled exports and the removal of expired downloads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every this many seconds (0: once)")

    def handle(self, *args: Any, every: int = 0, **options: Any) -> None:
        while True:
            run_due_schedules.enqueue()
            purge_expired_downloads.enqueue()
            if every <= 0:
                return
            time.sleep(every)
