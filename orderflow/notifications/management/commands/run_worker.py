"""Run the outbox worker until SIGTERM or Ctrl-C; `--once` sends what is due and exits."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orderflow.notifications.worker import Worker


class Command(BaseCommand):
    help = "Send due notifications: claim, render, send, record, retry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="send what is due now, then exit")
        parser.add_argument("--batch-size", type=int, default=100)
        parser.add_argument("--lease-seconds", type=int, default=60)
        parser.add_argument("--name", default=None, help="worker name shown on deliveries")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1 or options["lease_seconds"] < 5:
            self.stderr.write("--batch-size must be at least 1 and --lease-seconds at least 5")
            raise SystemExit(2)
        worker = Worker(
            name=options["name"], batch_size=options["batch_size"], lease_seconds=options["lease_seconds"]
        )

        with _stopping_on_signals(worker):
            if options["once"]:
                total = 0
                while not worker.stop.is_set() and (sent := worker.run_once()):
                    total += sent
                self.stdout.write(f"Processed {total} deliveries.")
                return
            self.stdout.write(f"Worker {worker.name} running; stop with Ctrl-C or SIGTERM.")
            worker.run()


@contextmanager
def _stopping_on_signals(worker: Worker) -> Iterator[None]:
    """SIGTERM and Ctrl-C ask the worker to stop between two sends (it gives back what it claimed but did
    not send); the previous handlers come back afterwards, for callers such as call_command."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are only delivered to the main thread
        return

    def stop(signum: int, frame: object) -> None:
        worker.stop.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
