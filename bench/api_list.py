"""Authenticated GET /api/v1/orders under load, beside the floor (a plain Django view making the same
queries). PostgreSQL, gunicorn with 2 sync workers on loopback, wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderflow_api_bench .venv/bin/python bench/api_list.py

Options (environment): BENCH_ORDERS (default 2000), BENCH_SECONDS per run (default 10), BENCH_PORT (8765),
BENCH_LIMITS (page sizes, default 50,20,10,5). Prints the load average at the start and the end, and the
CPU time per request of the gunicorn workers and of the database's PostgreSQL backends (from /proc).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_common import (
    WrkResult,
    cpu_seconds,
    database_url,
    fresh_database,
    gunicorn,
    load_average,
    seed,
    setup_django,
    table,
    wrk,
)

TARGET = 300  # requests per second the issue asks of GET /api/v1/orders


def main() -> None:
    url = database_url()
    database = unquote(urlsplit(url).path.lstrip("/"))
    orders = int(os.environ.get("BENCH_ORDERS", "2000"))
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    limits = [int(limit) for limit in os.environ.get("BENCH_LIMITS", "50,20,10,5").split(",")]
    fresh_database(url)
    setup_django(url)
    seeded = seed(orders=orders)
    print(
        f"{orders} orders of 2 lines; wrk 2 threads, 8 connections, {seconds} s per run; gunicorn 2 workers"
    )
    print(f"start: {load_average()}")
    rows = []
    with gunicorn(url) as base:

        def run(path: str) -> Measured:
            wrk(f"{base}{path}", token=seeded.token, seconds=2)  # warm up
            web, db = cpu_seconds(gunicorn=True), cpu_seconds(database=database)
            result = wrk(f"{base}{path}", token=seeded.token, seconds=seconds)
            web = cpu_seconds(gunicorn=True) - web
            db = cpu_seconds(database=database) - db
            return Measured(result, web * 1000 / result.requests, db * 1000 / result.requests)

        rows.append(("GET /floor/nothing (no database: the ceiling)", run("/floor/nothing")))
        for limit in limits:
            for name, path in (("API", "/api/v1/orders"), ("floor", "/floor/orders")):
                rows.append((f"GET {path}?limit={limit} ({name})", run(f"{path}?limit={limit}")))
    print(f"end: {load_average()}")
    print(table([(name, measured.result) for name, measured in rows]))
    print("CPU per request, ms: gunicorn workers / PostgreSQL backends")
    for name, measured in rows:
        print(f"  {name:58} {measured.web_ms:6.2f} / {measured.db_ms:5.2f}")
    for index in range(1, len(rows), 2):
        api, floor = rows[index][1].result, rows[index + 1][1].result
        print(f"{rows[index][0]}: {api.per_second / floor.per_second:.2f} of the floor")
    for index in range(1, len(rows), 2):
        rate = rows[index][1].result.per_second
        verdict = "met" if rate >= TARGET else "NOT met"
        print(f"{rows[index][0]}: {rate:.0f} req/s, target {TARGET}: {verdict}")
    if any(measured.result.not_ok for _, measured in rows):
        raise SystemExit("Some responses were not 2xx: the figures above are not valid.")


@dataclass(frozen=True)
class Measured:
    result: WrkResult
    web_ms: float  # CPU of the gunicorn workers per request
    db_ms: float  # CPU of the database's PostgreSQL backends per request


if __name__ == "__main__":
    main()
