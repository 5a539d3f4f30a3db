"""Run the outbox worker until SIGTERM or Ctrl-C; `--once` sends what is due and exits.

Each lane (people's messages, webhooks) runs its own loop, on a thread of this process unless `--lane`
picks one: a slow webhook endpoint never delays an email or an in-app item."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from orderflow.notifications.worker import LANES, Worker


class Command(BaseCommand):
    help = "Send due notifications: claim, render, send, record, retry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="send what is due now, then exit")
        parser.add_argument("--batch-size", type=int, default=100)
        parser.add_argument("--lease-seconds", type=int, default=60)
        parser.add_argument("--name", default=None, help="worker name shown on deliveries")
        parser.add_argument(
            "--lane", choices=["all", *LANES], default="all", help="which lane to run (default: every lane)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1 or options["lease_seconds"] < 5:
            self.stderr.write("--batch-size must be at least 1 and --lease-seconds at least 5")
            raise SystemExit(2)
        lanes = list(LANES) if options["lane"] == "all" else [options["lane"]]
        workers = [
            Worker(
                name=_name(options["name"], lane, len(lanes)),
                batch_size=options["batch_size"],
                lease_seconds=options["lease_seconds"],
                lane=lane,
            )
            for lane in lanes
        ]
        with _stopping_on_signals(workers):
            if options["once"]:
                total = 0
                for worker in workers:
                    while not worker.stop.is_set() and (sent := worker.run_once()):
                        total += sent
                self.stdout.write(_("Processed %(total)s deliveries.") % {"total": total})
                return
            names = ", ".join(worker.name for worker in workers)
            self.stdout.write(_("Worker %(names)s running; stop with Ctrl-C or SIGTERM.") % {"names": names})
            others = [threading.Thread(target=w.run, name=w.name, daemon=True) for w in workers[1:]]
            for thread in others:
                thread.start()
            try:
                workers[0].run()
            finally:
                for worker in workers[1:]:
                    worker.stop.set()
                for thread in others:
                    thread.join()


def _name(given: str | None, lane: str, lanes: int) -> str | None:
    """One name per lane: `--name` as given for a single lane, with the lane after it for several."""
    if given is None or lanes == 1:
        return given
    return f"{given}/{lane}"


@contextmanager
def _stopping_on_signals(workers: list[Worker]) -> Iterator[None]:
    """SIGTERM and Ctrl-C ask the worker to stop between two sends (it gives back what it claimed but did
    not send); the previous handlers come back afterwards, for callers such as call_command."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are only delivered to the main thread
        return

    def stop(signum: int, frame: object) -> None:
        for worker in workers:
            worker.stop.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
