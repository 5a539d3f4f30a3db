"""POST /api/v1/orders/{number}/transitions under load (each request moves another order from
"newly placed" to "in preparation", through the real action: lock, version check, activity log,
notification rows), without and with an Idempotency-Key, beside the floor (a plain Django view
calling the same action with the same queries). PostgreSQL, gunicorn with 2 sync workers on loopback,
wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderflow_api_bench \\
        .venv/bin/python bench/api_transitions.py

Options (environment): BENCH_ORDERS per run (default 3000), BENCH_SECONDS per run (default 8).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_common import database_url, fresh_database, gunicorn, seed, setup_django, table, wrk

THREADS = 2
# Each wrk thread walks its own range of order numbers, one order per request. A thread that runs out
# repeats its last order, which answers 409: counted as non-2xx and reported, never hidden.
SCRIPT = """
local counter, last
local threads = 0
function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end
function init(args)
  local start, per = tonumber(args[1]), tonumber(args[2])
  prefix = args[3]
  keyed = args[4] == "keyed"
  counter = start + index * per
  last = counter + per - 1
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"to": "in_preparation"}'
end
function request()
  local number = counter
  if counter < last then counter = counter + 1 end
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  if keyed then headers["Idempotency-Key"] = "move-" .. number end
  return wrk.format(nil, prefix .. number .. "/transitions", headers)
end
"""


def main() -> None:
    url = database_url()
    per_run = int(os.environ.get("BENCH_ORDERS", "3000"))
    seconds = int(os.environ.get("BENCH_SECONDS", "8"))
    warmup = 200
    runs = (
        ("API", "/api/v1/orders/", "plain"),
        ("API + Idempotency-Key", "/api/v1/orders/", "keyed"),
        ("floor", "/floor/orders/", "plain"),
    )
    total = (per_run + warmup) * len(runs)
    fresh_database(url)
    setup_django(url)
    seeded = seed(orders=total)
    print(
        f"{per_run} orders per run; wrk {THREADS} threads, 8 connections, at most {seconds} s; "
        "gunicorn 2 workers"
    )
    rows = []
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script, gunicorn(url) as base:
        script.write(SCRIPT)
        script.flush()
        start = 1
        for name, prefix, keyed in runs:
            per_thread = warmup // THREADS
            wrk(
                base,
                token=seeded.token,
                seconds=1,
                script=script.name,
                args=[str(start), str(per_thread), prefix, keyed],
            )
            start += warmup
            per_thread = per_run // THREADS
            result = wrk(
                base,
                token=seeded.token,
                seconds=seconds,
                script=script.name,
                args=[str(start), str(per_thread), prefix, keyed],
            )
            start += per_run
            rows.append((f"POST {prefix}{{n}}/transitions ({name})", result))
    print(table(rows))
    api, keyed, floor = (result for _, result in rows)
    print(f"transitions through the API: {api.per_second / floor.per_second:.2f} of the floor")
    print(f"with an Idempotency-Key each: {keyed.per_second / floor.per_second:.2f} of the floor")
    if any(result.not_ok for _, result in rows):
        raise SystemExit("Some responses were not 2xx (orders ran out or a move was refused): not valid.")


if __name__ == "__main__":
    main()
