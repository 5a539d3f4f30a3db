"""Authenticated GET /api/v1/orders under load, beside the floor (a plain Django view making the same
queries). PostgreSQL, gunicorn with 2 sync workers on loopback, wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderflow_api_bench .venv/bin/python bench/api_list.py

Options (environment): BENCH_ORDERS (default 2000), BENCH_SECONDS per run (default 10), BENCH_PORT (8765).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_common import database_url, fresh_database, gunicorn, seed, setup_django, table, wrk

TARGET = 300  # requests per second the issue asks of GET /api/v1/orders


def main() -> None:
    url = database_url()
    orders = int(os.environ.get("BENCH_ORDERS", "2000"))
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    fresh_database(url)
    setup_django(url)
    seeded = seed(orders=orders)
    print(
        f"{orders} orders of 2 lines; wrk 2 threads, 8 connections, {seconds} s per run; gunicorn 2 workers"
    )
    rows = []
    with gunicorn(url) as base:
        wrk(f"{base}/floor/nothing", token=seeded.token, seconds=2)
        rows.append(
            (
                "GET /floor/nothing (no database: the ceiling)",
                wrk(f"{base}/floor/nothing", token=seeded.token, seconds=seconds),
            )
        )
        for limit in (50, 20, 5):
            for name, path in (("API", "/api/v1/orders"), ("floor", "/floor/orders")):
                wrk(f"{base}{path}?limit={limit}", token=seeded.token, seconds=2)  # warm up
                result = wrk(f"{base}{path}?limit={limit}", token=seeded.token, seconds=seconds)
                rows.append((f"GET {path}?limit={limit} ({name})", result))
    print(table(rows))
    for index in range(1, len(rows), 2):
        api, floor = rows[index][1], rows[index + 1][1]
        print(f"{rows[index][0]}: {api.per_second / floor.per_second:.2f} of the floor")
    best = rows[1][1].per_second
    print(
        f"GET /api/v1/orders (50 per page): {best:.0f} req/s, "
        f"target {TARGET}: {'met' if best >= TARGET else 'NOT met'}"
    )
    if any(result.not_ok for _, result in rows):
        raise SystemExit("Some responses were not 2xx: the figures above are not valid.")


if __name__ == "__main__":
    main()
