"""Importing leads from files on PostgreSQL, through the product's import code, beside a plain COPY.

Generates a CSV file of --rows leads (first and last name, email, a French mobile number on every other
row (the bench seller is in France), company,
job title; about 90 bytes a row) and an XLSX workbook of --xlsx-rows, then for each:

- *import*: `transfers.actions.imports.upload_people_file` (the file judged by content, stored, its
  header and first rows read, its rows counted) and the task `run_people_import` run in this process
  (every row validated by the leads' rules, then saved in batches through `leads.actions.save_people`,
  all or nothing in one transaction, as the product does by default; on PostgreSQL the batches are saved
  on a thread of the task's own, on a second connection, while the task checks the next rows);
- *COPY*: the same CSV file copied into a plain table of text columns (`COPY ... FROM STDIN`), the
  ceiling of loading those bytes into PostgreSQL with no rule at all.

Prints rows per second, the total time, the ratio to COPY and the peak resident memory of this process
(`resource.getrusage`: the files are written first, streaming, so the peak is the import's). Targets:
CSV >= 20,000 rows/s and 1,000,000 rows in < 2 min, < 500 MB resident; XLSX >= 5,000 rows/s.

The size limits of uploads (XLSX 1 MB, CSV 5 MB) are raised for the benchmark through the action's
`limits` argument; nothing else differs from what a person's upload runs.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import common

FIELDS = ["first_name", "last_name", "email", "phone", "company", "job_title"]
HEADERS = ["Prénom", "Nom", "Courriel", "Téléphone", "Société", "Poste"]


def row(i: int) -> list[str]:
    # The bench seller is in France (EUR): French mobile numbers as people type them, on every other row.
    digits = f"{i % 100_000_000:08d}"
    phone = f"06 {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}" if i % 2 == 0 else ""
    return [
        f"Prénom{i}",
        f"Nom{i}",
        f"lead{i}@bench.example",
        phone,
        f"Société {i % 997}",
        "Directrice des ventes",
    ]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for i in range(rows):
            writer.writerow(row(i))


def write_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    sheet.append(HEADERS)
    for i in range(rows):
        sheet.append(row(i))
    workbook.save(path)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(world: common.World, path: Path, name: str, url: str) -> tuple[float, dict[str, float]]:
    from django.db import connection

    from orderflow.core.actors import Actor
    from orderflow.transfers.actions.imports import run_people_import, upload_people_file
    from orderflow.transfers.models import ImportStatus, PeopleImport

    actor = Actor.staff(world.staff)
    order = world.orders[0]
    big = {"csv": 1 << 34, "txt": 1 << 34, "xls": 1 << 34, "xlsx": 1 << 34}
    database = common.database_name(url)
    meter = common.CpuMeter(
        {"import": lambda: [os.getpid()], "postgres": lambda: common.postgres_backends(database)}
    )
    meter.start()
    started = time.perf_counter()
    with path.open("rb") as upload:
        record = upload_people_file(order, actor=actor, kind="lead", file_name=name, file=upload, limits=big)
    mapping = {str(index): field for index, field in enumerate(FIELDS)}
    assert record.mapping == mapping, record.mapping
    PeopleImport.objects.filter(pk=record.pk).update(mapping=mapping, status=ImportStatus.QUEUED)
    run_people_import.call(record.pk)
    elapsed = time.perf_counter() - started
    cpu = meter.stop()
    record.refresh_from_db()
    if record.status != ImportStatus.DONE:
        raise RuntimeError(f"import {record.status}: {record.errors[:3]}")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE leads_person CASCADE")  # the next file starts from an empty order
    return elapsed, {
        "created": record.created_count,
        "updated": record.updated_count,
        "failed": record.failed_count,
        "cpu_import": cpu["import"],
        "cpu_postgres": cpu["postgres"],
    }


def run_copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_copy (first_name text, last_name text, email text, phone text, "
            "company text, job_title text)"
        )
        started = time.perf_counter()
        with (
            cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as data,
        ):
            for chunk in iter(lambda: data.read(1 << 20), b""):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="rows of the CSV file (default 1,000,000)"
    )
    parser.add_argument(
        "--xlsx-rows", type=int, default=100_000, help="rows of the XLSX file (default 100,000)"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the benchmark database behind")
    parser.add_argument("--timeout", type=int, default=1200, help="give up after this many seconds")
    args = parser.parse_args()
    url = common.database_url()
    print(f"lead_import on {common.machine()}, load average {os.getloadavg()[0]:.2f}; database {url}")
    folder = Path(tempfile.mkdtemp(prefix="orderflow-bench-leads-"))
    os.environ["ORDERFLOW_VAR_DIR"] = str(folder / "var")
    csv_path, xlsx_path = folder / "leads.csv", folder / "leads.xlsx"
    try:
        with common.time_limit(args.timeout, "lead_import"):
            print(f"writing {args.rows:,} CSV rows and {args.xlsx_rows:,} XLSX rows ...", flush=True)
            write_csv(csv_path, args.rows)
            write_xlsx(xlsx_path, args.xlsx_rows)
            common.setup_django(url)
            world = common.build_world(contacts=1, orders=1, progress=False)
            print(
                f"files: CSV {csv_path.stat().st_size / 1e6:.1f} MB, "
                f"XLSX {xlsx_path.stat().st_size / 1e6:.1f} MB; "
                f"peak RSS before importing {peak_mb():.0f} MB",
                flush=True,
            )
            copy_seconds = run_copy(csv_path)
            print(f"COPY: {copy_seconds:.1f} s", flush=True)
            csv_seconds, csv_counts = run_import(world, csv_path, "leads.csv", url)
            csv_peak = peak_mb()
            print(f"CSV import: {csv_seconds:.1f} s {csv_counts}; peak RSS {csv_peak:.0f} MB", flush=True)
            xlsx_seconds, xlsx_counts = run_import(world, xlsx_path, "leads.xlsx", url)
            print(f"XLSX import: {xlsx_seconds:.1f} s {xlsx_counts}; peak RSS {peak_mb():.0f} MB", flush=True)
    finally:
        common.close_connections()
        if not args.keep_db:
            common.drop_database(url)
        for path in (csv_path, xlsx_path):
            path.unlink(missing_ok=True)

    csv_rate, xlsx_rate, copy_rate = (
        args.rows / csv_seconds,
        args.xlsx_rows / xlsx_seconds,
        args.rows / copy_seconds,
    )
    ok = lambda met: "met" if met else "NOT met"  # noqa: E731
    common.table(
        f"Lead import, {args.rows:,} CSV rows / {args.xlsx_rows:,} XLSX rows "
        f"(load average now {os.getloadavg()[0]:.2f})",
        [
            (
                "CSV import",
                f"{csv_rate:,.0f} rows/s, {csv_seconds:.1f} s ({ok(csv_rate >= 20_000)} >= 20,000/s)",
            ),
            ("COPY of the same CSV", f"{copy_rate:,.0f} rows/s, {copy_seconds:.1f} s"),
            ("import / COPY", f"{csv_rate / copy_rate:.3f} (COPY is {copy_rate / csv_rate:.1f}x faster)"),
            ("1M rows projected", f"{1_000_000 / csv_rate:.0f} s ({ok(1_000_000 / csv_rate < 120)} < 120 s)"),
            (
                "XLSX import",
                f"{xlsx_rate:,.0f} rows/s, {xlsx_seconds:.1f} s ({ok(xlsx_rate >= 5_000)} >= 5,000/s)",
            ),
            (
                "CSV CPU per row: import / PostgreSQL",
                f"{csv_counts['cpu_import'] / args.rows * 1e6:.0f} / "
                f"{csv_counts['cpu_postgres'] / args.rows * 1e6:.0f} µs",
            ),
            (
                "CSV rows per CPU second (both)",
                f"{args.rows / (csv_counts['cpu_import'] + csv_counts['cpu_postgres']):,.0f} "
                "(the rate if reading and saving did not overlap)",
            ),
            (
                "XLSX rows per CPU second (both)",
                f"{args.xlsx_rows / (xlsx_counts['cpu_import'] + xlsx_counts['cpu_postgres']):,.0f}",
            ),
            ("peak RSS after CSV", f"{csv_peak:.0f} MB ({ok(csv_peak < 500)} < 500 MB)"),
            ("peak RSS overall", f"{peak_mb():.0f} MB"),
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
