"""The outbox's claim loop beside two other PostgreSQL job queues, on the same server in the same run:
procrastinate and django-tasks-db (the database backend of Django's task API, which this project uses
for its other background jobs). Each runs the same N jobs that do nothing, with one worker, from a
backlog: what is measured is what a queue costs per job (claiming, marking done), not the job.

  outbox           N pending email deliveries and `Worker.run_once()` until none is left, with the
                   transport and rendering patched to do nothing (as bench/claim_rate.py's full cycle:
                   claim under a lease, start, no-op send, the lease-fenced result and attempt rows);
  procrastinate    N deferred jobs of a no-op task (`batch_defer`), then `run_worker(wait=False)`
                   (concurrency 1), which stops once the queue is empty;
  django-tasks-db  N `enqueue()`d no-op tasks, then `manage.py db_worker --batch` (stops once empty),
                   with the connection kept between tasks (CONN_MAX_AGE 60, as this project's settings).

The peers run in a virtual environment of their own, made on first use under var/bench-peers-venv with
pip (procrastinate, django-tasks-db, Django, psycopg; nothing is pinned or committed: the newest
releases the package index gives). Each queue gets its own database (the benchmark's name with a
suffix), created and dropped here. Printed for each: jobs per second, CPU per job of the worker process
and of the database's PostgreSQL backends (from /proc), and the outbox's ratio to each (target: the
outbox at least 2.5 times the rate of each peer), with the load average: the machine is shared.

Run: .venv/bin/python bench/peers.py [--jobs 5000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "var" / "bench-peers-venv"
# Django 5.2 as the project, with the backport of its task API that django-tasks-db plugs into.
PACKAGES = ["procrastinate", "django-tasks", "django-tasks-db", "django>=5.2,<6", "psycopg[binary]"]
TARGET_RATIO = 2.5

# Each peer runs as a child of this process in the peers' environment. It prepares its jobs, prints
# READY, waits for a line on stdin, works until its queue is empty, then prints DONE <jobs> <seconds>.
PROCRASTINATE = """
import asyncio, sys, time
import procrastinate

N, URL = int(sys.argv[1]), sys.argv[2]
app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=URL))

@app.task(queue="bench", name="noop")
def noop() -> None:
    pass

async def main() -> None:
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        for start in range(0, N, 1000):
            await noop.batch_defer_async(*({} for _ in range(min(1000, N - start))))
        print("READY", flush=True)
        sys.stdin.readline()
        began = time.monotonic()
        await app.run_worker_async(queues=["bench"], wait=False, concurrency=1, install_signal_handlers=False)
        elapsed = time.monotonic() - began
        async with app.connector.pool.connection() as conn:
            done = (await (await conn.execute(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'")).fetchone())[0]
        print(f"DONE {done} {elapsed}", flush=True)

asyncio.run(main())
"""

DJANGO_TASKS_DB = """
import sys, time
from urllib.parse import urlsplit
import django
from django.conf import settings

N, URL = int(sys.argv[1]), sys.argv[2]
parts = urlsplit(URL)
settings.configure(
    INSTALLED_APPS=["django_tasks", "django_tasks_db"],
    DATABASES={"default": {
        "ENGINE": "django.db.backends.postgresql", "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "postgres", "PASSWORD": parts.password or "",
        "HOST": parts.hostname, "PORT": parts.port or 5432,
        "CONN_MAX_AGE": 60,  # as this project's settings: one connection kept, not one per task
    }},
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    USE_TZ=True,
    LOGGING_CONFIG=None,
)
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from peer_tasks import noop
for _ in range(N):
    noop.enqueue()
print("READY", flush=True)
sys.stdin.readline()
began = time.monotonic()
call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.05", verbosity=0)
elapsed = time.monotonic() - began
from django_tasks_db.models import DBTaskResult
done = DBTaskResult.objects.filter(status="SUCCESSFUL").count()
print(f"DONE {done} {elapsed}", flush=True)
"""

PEER_TASKS = """
from django_tasks import task

@task()
def noop() -> None:
    pass
"""


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def ensure_venv() -> Path:
    """The peers' interpreter, installing them on first use."""
    python = VENV / "bin" / "python"
    check = "import procrastinate, django_tasks, django_tasks_db, django, psycopg"
    if python.exists() and subprocess.run([python, "-c", check], capture_output=True).returncode == 0:
        return python
    print(f"making {VENV.relative_to(ROOT)} and installing {', '.join(PACKAGES)} with pip ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    return python


def _versions(python: Path) -> str:
    names = ("procrastinate", "django-tasks", "django-tasks-db", "Django", "psycopg")
    code = "from importlib.metadata import version as v; "
    code += f"print(', '.join(f'{{p}} {{v(p)}}' for p in {names!r}))"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def run_peer(python: Path, name: str, script: str, url: str, jobs: int, workdir: Path) -> dict[str, float]:
    """One peer on a fresh database of its own: prepare, then meter the worker from GO to DONE."""
    common.fresh_database(url)
    path = workdir / f"peer_{name.replace('-', '_')}.py"
    path.write_text(textwrap.dedent(script))
    (workdir / "peer_tasks.py").write_text(PEER_TASKS)
    env = {**os.environ, "PYTHONPATH": str(workdir), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    child = subprocess.Popen(
        [python, str(path), str(jobs), url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=workdir,
        env=env,
    )
    try:
        assert child.stdin is not None
        assert child.stdout is not None
        line = child.stdout.readline()
        if line.strip() != "READY":
            errors = child.stderr.read() if child.stderr else ""
            raise RuntimeError(f"{name} did not get ready: {line!r} {errors}")
        database = common.database_name(url)
        meter = common.CpuMeter(
            {"worker": lambda: [child.pid], "PostgreSQL": lambda: common.postgres_backends(database)}
        ).start()
        child.stdin.write("go\n")
        child.stdin.flush()
        line = child.stdout.readline()
        cpu = meter.stop()
        if not line.startswith("DONE"):
            raise RuntimeError(f"{name} failed: {line!r} {child.stderr.read() if child.stderr else ''}")
        _, done, seconds = line.split()
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        common.drop_database(url)
    if int(done) != jobs:
        raise RuntimeError(f"{name}: {done} jobs done, expected {jobs}")
    return _figures(jobs, float(seconds), cpu["worker"], cpu["PostgreSQL"])


def _figures(jobs: int, seconds: float, worker: float, postgres: float) -> dict[str, float]:
    return {
        "per_s": jobs / seconds,
        "seconds": seconds,
        "worker_ms": worker / jobs * 1000,
        "postgres_ms": postgres / jobs * 1000,
    }


def run_outbox(jobs: int) -> dict[str, float]:
    """The outbox's full cycle with one worker, as bench/claim_rate.py measures it."""
    import claim_rate

    result = claim_rate.measure("full", 1, 100, jobs)
    return _figures(
        jobs, result["seconds"], result["cpu_workers_us"] * jobs / 1e6, result["cpu_postgres_us"] * jobs / 1e6
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--jobs", type=int, default=5000, help="no-op jobs per queue (default 5000)")
    parser.add_argument("--rounds", type=int, default=1, help="run every queue this many times, in turn")
    parser.add_argument("--keep-db", action="store_true", help="leave the outbox's benchmark database")
    parser.add_argument("--timeout", type=int, default=1800, help="give up after this many seconds")
    args = parser.parse_args()
    url = common.database_url()
    print(f"peers on {common.machine()}, load average {_load()}; database {url} (and _procrastinate, _tasks)")
    python = ensure_venv()
    print(f"peers: {_versions(python)}", flush=True)
    results: dict[str, list[dict[str, float]]] = {"outbox": [], "procrastinate": [], "django-tasks-db": []}
    loads: list[str] = []
    try:
        with common.time_limit(args.timeout, "peers"), tempfile.TemporaryDirectory() as tmp:
            import claim_rate

            common.setup_django(url)
            claim_rate._patch()
            print(f"writing {args.jobs} pending deliveries ...", flush=True)
            claim_rate.seed(args.jobs)
            for round_ in range(args.rounds):
                print(f"round {round_ + 1}: outbox ...", flush=True)
                results["outbox"].append(run_outbox(args.jobs))
                print(f"round {round_ + 1}: procrastinate ...", flush=True)
                work = Path(tmp)
                results["procrastinate"].append(
                    run_peer(python, "procrastinate", PROCRASTINATE, url + "_procrastinate", args.jobs, work)
                )
                print(f"round {round_ + 1}: django-tasks-db ...", flush=True)
                results["django-tasks-db"].append(
                    run_peer(python, "django-tasks-db", DJANGO_TASKS_DB, url + "_tasks", args.jobs, work)
                )
                loads.append(_load())
    finally:
        if not args.keep_db:
            common.drop_database(url)
    rows: list[tuple[str, str]] = []
    for name, runs in results.items():
        for run in runs:
            rows.append(
                (
                    name,
                    f"{run['per_s']:7.0f} jobs/s ({run['seconds']:.1f} s); CPU per job: worker "
                    f"{run['worker_ms']:.2f} ms, PostgreSQL {run['postgres_ms']:.2f} ms, "
                    f"together {run['worker_ms'] + run['postgres_ms']:.2f} ms",
                )
            )
    for peer in ("procrastinate", "django-tasks-db"):
        for ours, theirs in zip(results["outbox"], results[peer], strict=True):
            ratio = ours["per_s"] / theirs["per_s"]
            cpu = (theirs["worker_ms"] + theirs["postgres_ms"]) / (ours["worker_ms"] + ours["postgres_ms"])
            met = "met" if ratio >= TARGET_RATIO else "NOT met"
            rows.append(
                (
                    f"outbox / {peer}",
                    f"{ratio:5.2f}x the rate (target >= {TARGET_RATIO}x: {met}); {cpu:.2f}x less CPU per job",
                )
            )
    rows.append(("load average after each round", "; ".join(loads)))
    common.table(f"{args.jobs} no-op jobs, one worker, same PostgreSQL, same run", rows)
    print(f"load average at the end {_load()} (a shared machine: compare ratios and CPU per job)")


if __name__ == "__main__":
    sys.exit(main())
