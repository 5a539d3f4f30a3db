"""Manage Orders at 100,000 and 1,000,000 orders of one seller, beside GET /api/v1/orders. PostgreSQL,
gunicorn with 2 sync workers on loopback, wrk (Debian's, `apt-get install -y wrk`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orderflow_dash_bench \
        .venv/bin/python bench/dashboard_scale.py

Builds a seller (an owner and three more staff, the shop and distributor order types, 5,000 customers of
one contact each, some names with accents) through the real actions, then its orders straight in SQL with
`generate_series` (the actions would take hours for a million): most done or cancelled and archived, a few
percent open, ~2.5 lines each, their search documents and counters as the actions would have written
them (`orders.actions.recount`), then VACUUM ANALYZE. Then for each size, for every Manage Orders view
(default, each filter, each sort, searches with and without a match, page 50) and the API list: wrk with
1 connection (p50/p95 latency, from wrk's own histogram via a Lua `done` hook) and with 8 connections
(pages per second), the 1-minute load average printed beside each figure; the attention badge (on every
seller page) is timed in-process, its query alone. Targets marked met / NOT met at the end.

Options (environment): BENCH_SIZES (default 100000,1000000), BENCH_SECONDS per wrk run (default 5),
BENCH_PORT (default 8106), BENCH_KEEP_DB=1 keeps the database; BENCH_REUSE=1 with one size in BENCH_SIZES
measures a kept database again without rebuilding it (and keeps it). The database must be one this benchmark
(or the API benchmarks) made, or absent; `test`, `test_*` are refused.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_PORT", "8106")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/orderflow_dash_bench")

import bench.api_common as api_common
from bench.api_common import cpu_seconds, database_url, fresh_database, gunicorn, load_average, setup_django

_api_environment = api_common.server_environment


def _product_environment(url: str) -> dict[str, str]:
    """The API benchmarks' server environment with the product's own settings and URLs (not the floor's)."""
    return {**_api_environment(url), "DJANGO_SETTINGS_MODULE": "orderflow.settings"}


api_common.server_environment = _product_environment

CUSTOMERS = 5000
STAFF = 4
P95_TARGET_MS = 50.0
SEARCH_P95_TARGET_MS = 100.0
RATE_TARGET = 100.0
GROWTH_TARGET = 1.5  # a view at 1M within this factor of its time at 100k

FIRST_NAMES = [
    "Élise",
    "Zoé",
    "Hélène",
    "François",
    "Jérôme",
    "Noémie",
    "Ève",
    "Amélie",
    "Léo",
    "Chloé",
    "Marc",
    "Julie",
    "Samuel",
    "Nadia",
]
SURNAMES = [
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Bélanger",
]
KINDS = ["Boulangerie", "Café", "Épicerie", "Restaurant", "Hôtel", "Bar", "Traiteur", "Fromagerie"]
TITLES = ["Weekly restock", "Birthday cake", "Office supplies", "Catering for Friday", "Bread and pastries",
          "Cheese platter", "Coffee beans", "Holiday order", "Wine crates", "Cleaning products",
          "Fresh vegetables", "Special request"]  # fmt: skip
PRODUCTS = ["Sourdough loaf", "Croissant box", "Espresso beans 1 kg", "Aged cheddar", "Baguette",
            "Olive oil 5 L", "Paper towels", "Red wine case", "Butter 10 kg", "Flour 25 kg",
            "Maple syrup", "Dish soap"]  # fmt: skip

LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("BENCH %d %d %d %.3f %.3f\\n", summary.requests, summary.duration, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


@dataclass(frozen=True)
class Run:
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    errors: int
    load: str
    web_cpu_ms: float = 0.0  # CPU per page of the gunicorn workers (8-connection runs)
    db_cpu_ms: float = 0.0  # CPU per page of the database's PostgreSQL backends


@dataclass(frozen=True)
class World:
    slug: str
    cookie: str
    token: str
    seller_id: int
    customer_id: int  # Élise Gagnon's bakery: a customer filter and a search by name
    assignee_id: int
    dashboard: str


def main() -> None:
    url = database_url()
    sizes = [int(size) for size in os.environ.get("BENCH_SIZES", "100000,1000000").split(",")]
    seconds = int(os.environ.get("BENCH_SECONDS", "5"))
    # Production settings serve static files through whitenoise's manifest: collected into a directory
    # of the benchmark's own, which the server is given too.
    var_dir = tempfile.mkdtemp(prefix="orderflow-dash-bench-")
    os.environ["ORDERFLOW_VAR_DIR"] = var_dir
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if not reuse:
        fresh_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    database = unquote(urlsplit(url).path.lstrip("/"))
    print(f"PostgreSQL database {database}; gunicorn 2 sync workers; wrk {seconds} s per run")
    print(f"start: {load_average()}")
    world = reused(sizes) if reuse else people()
    results: dict[int, dict[str, tuple[Run, Run]]] = {}
    badges: dict[int, tuple[float, float, str]] = {}
    try:
        for size in sizes:
            if reuse:
                print(f"\n{size:,} orders of an earlier run ({load_average()})")
            else:
                started = time.monotonic()
                build_orders(world, size)
                print(f"\n{size:,} orders built in {time.monotonic() - started:.0f} s ({load_average()})")
            badges[size] = time_badge(world)
            with gunicorn(url) as base:
                results[size] = measure(base, world, seconds, database)
        report(sizes, results, badges)
    finally:
        if not reuse and os.environ.get("BENCH_KEEP_DB") != "1":
            from bench.common import drop_database

            drop_database(url)
        shutil.rmtree(var_dir, ignore_errors=True)


def reused(sizes: list[int]) -> World:
    """The seller an earlier run kept (BENCH_KEEP_DB=1), when it holds exactly the one size asked for."""
    from orderflow.accounts.models import Seller

    seller = Seller.objects.filter(slug="bench").first()
    if seller is None or len(sizes) != 1 or seller.order_counter != sizes[0]:
        raise SystemExit("BENCH_REUSE=1 needs one size in BENCH_SIZES: the last one a kept database holds.")
    return world_of(seller)


def world_of(seller: Any) -> World:
    """A new session cookie and API token of the seller's owner, and the ids the views filter by."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from orderflow.accounts.models import Customer, Membership
    from orderflow.core.actors import Actor
    from orderflow.integrations.actions import create_api_token

    owner = Membership.objects.select_related("user").get(seller=seller, user__username="bench-owner")
    staff = list(Membership.objects.filter(seller=seller).order_by("pk"))
    first = Customer.objects.get(seller=seller, reference="ACC-00001")
    _, token = create_api_token(seller, name="Bench", scope="read", actor=Actor.staff(owner))
    client = Client()
    client.force_login(owner.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(
        slug=seller.slug,
        cookie=f"{settings.SESSION_COOKIE_NAME}={cookie}",
        token=token,
        seller_id=seller.pk,
        customer_id=first.pk,
        assignee_id=staff[1].pk,
        dashboard=reverse("dashboard", kwargs={"seller_slug": seller.slug}),
    )


def people() -> World:
    """The seller, its staff, order types, customers and contacts, through the real actions (customers
    and contacts in bulk after the first: 5,000 one by one would take minutes)."""
    from orderflow.accounts.actions import add_contact, add_customer, add_staff, create_seller
    from orderflow.accounts.models import Contact, Customer
    from orderflow.core.actors import Actor
    from orderflow.workflows.actions import install_order_type

    seller = create_seller(name="Bench Bakery", slug="bench", time_zone="America/Toronto", currency="CAD")
    add_staff(seller, username="bench-owner", password=None, first_name="Olga", role="owner")
    for i in range(1, STAFF):
        add_staff(seller, username=f"bench-staff-{i}", password=None, first_name=f"Staff {i}", role="staff")
    for preset in ("shop", "distributor"):
        install_order_type(seller, preset=preset, actor=Actor.system())
    first = add_customer(seller, name="Boulangerie Élise Gagnon", reference="ACC-00001")
    add_contact(first, name="Élise Gagnon", email="elise.gagnon@bench.example")
    customers = [
        Customer(
            seller=seller,
            name=f"{KINDS[i % len(KINDS)]} {SURNAMES[(i * 7) % len(SURNAMES)]} {i + 1}",
            reference=f"ACC-{i + 1:05d}",
        )
        for i in range(1, CUSTOMERS)
    ]
    Customer.objects.bulk_create(customers, batch_size=1000)
    Contact.objects.bulk_create(
        [
            Contact(
                customer=customer,
                name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {SURNAMES[(i * 3) % len(SURNAMES)]}",
                email=f"contact{i + 1}@bench.example",
            )
            for i, customer in enumerate(customers, 1)
        ],
        batch_size=1000,
    )
    return world_of(seller)


def build_orders(world: World, size: int) -> None:
    """`size` orders of the seller (replacing any), numbered oldest first over three years: the newest 3 %
    open or active, the next 7 % mostly done and still listed, the rest done (5 % cancelled) and
    archived; ~2.5 lines each; then their search documents and counters, then VACUUM ANALYZE."""
    from django.db import connection

    from orderflow.accounts.models import Contact, Customer, Membership, Seller
    from orderflow.orders.actions import recount
    from orderflow.orders.models import customer_search_text
    from orderflow.workflows.models import OrderType

    types = list(OrderType.objects.filter(seller_id=world.seller_id).order_by("pk"))
    state_case = []
    for index, order_type in enumerate(types):
        states = order_type.current_version.workflow.states
        for category in ("open", "active", "done", "cancelled"):
            key = next(key for key, state in states.items() if state.category == category)
            state_case.append(f"WHEN g.t = {index} AND g.cat = '{category}' THEN '{key}'")
    customers = list(
        Customer.objects.filter(seller_id=world.seller_id).order_by("pk").values_list("pk", flat=True)
    )
    contacts = dict(Contact.objects.filter(customer_id__in=customers).values_list("customer_id", "pk"))
    staff = list(
        Membership.objects.filter(seller_id=world.seller_id).order_by("pk").values_list("pk", flat=True)
    )
    texts = {}
    for customer in Customer.objects.filter(seller_id=world.seller_id).prefetch_related("contacts"):
        texts[customer.pk] = customer_search_text(customer, customer.contacts.all())
    titles = "ARRAY[" + ",".join(f"'{t}'" for t in TITLES) + "]"
    products = "ARRAY[" + ",".join(f"'{p}'" for p in PRODUCTS) + "]"
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE orders_order RESTART IDENTITY CASCADE")
        cursor.execute("DROP INDEX IF EXISTS order_search_order_trgm")
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            f"""
            INSERT INTO orders_order (seller_id, number, order_type_id, workflow_version_id, state,
                state_category, customer_id, placed_by_id, title, customer_notes, currency, submitted_at,
                last_activity_at, seen_at, closed_at, estimated_completion, assignee_id, internal_notes,
                cancel_reason, options, archived, version)
            SELECT %(seller)s, g.i, (%(types)s::bigint[])[g.t + 1], (%(versions)s::bigint[])[g.t + 1],
                CASE {" ".join(state_case)} END, g.cat, g.customer, (%(contacts)s::bigint[])[g.c],
                ({titles})[1 + g.i %% 12], '', 'CAD', g.at, g.at + interval '2 hours', NULL,
                CASE WHEN g.cat IN ('done', 'cancelled') THEN g.at + interval '2 days' END,
                CASE WHEN g.r2 < (CASE WHEN g.archived THEN 0.2 ELSE 0.4 END)
                     THEN (g.at + (g.r3 * 20 || ' days')::interval)::date END,
                CASE WHEN g.r3 < 0.7 THEN (%(staff)s::bigint[])[1 + (g.i %% %(nstaff)s)] END,
                '', '', '{{}}', g.archived, 1
            FROM (
                SELECT s.i, s.at, s.t, s.c, (%(customers)s::bigint[])[s.c] AS customer, s.r2, s.r3,
                    s.age >= 0.10 AS archived,
                    CASE WHEN s.age < 0.03 THEN (CASE WHEN s.r < 0.6 THEN 'open' ELSE 'active' END)
                         WHEN s.age < 0.10 THEN (CASE WHEN s.r < 0.1 THEN 'active' ELSE 'done' END)
                         ELSE (CASE WHEN s.r < 0.05 THEN 'cancelled' ELSE 'done' END) END AS cat
                FROM (
                    SELECT i, (%(size)s - i)::float / %(size)s AS age,
                        now() - ((%(size)s - i) * (interval '3 years' / %(size)s)) AS at,
                        CASE WHEN random() < 0.8 THEN 0 ELSE 1 END AS t,
                        1 + floor(random() * %(ncustomers)s)::int AS c,
                        random() AS r, random() AS r2, random() AS r3
                    FROM generate_series(1, %(size)s) AS i
                ) s
            ) g
            """,
            {
                "seller": world.seller_id,
                "types": [t.pk for t in types],
                "versions": [t.current_version_id for t in types],
                "contacts": [contacts[pk] for pk in customers],
                "customers": customers,
                "ncustomers": len(customers),
                "staff": staff,
                "nstaff": len(staff),
                "size": size,
            },
        )
        cursor.execute(
            f"""
            INSERT INTO orders_orderline (order_id, position, sku, description, quantity, unit_price,
                tax_rate, backup_description, status, substitute_description)
            SELECT o.id, p, 'SKU-' || lpad(((o.number * 31 + p * 7) %% 2000)::text, 5, '0'),
                ({products})[1 + (o.number + p) %% 12], 1 + (o.number %% 5), 4.50 + (p %% 3), 5, '',
                'available', ''
            FROM orders_order o CROSS JOIN LATERAL generate_series(1, 2 + (o.number %% 2)) AS p
            WHERE o.seller_id = %s
            """,
            [world.seller_id],
        )
        # One document per customer, as orders.actions.indexing writes it with the customer's first order.
        cursor.execute("DELETE FROM orders_customersearch WHERE seller_id = %s", [world.seller_id])
        columns = "customer_id, seller_id, text"
        with cursor.cursor.copy(f"COPY orders_customersearch ({columns}) FROM STDIN") as copy:
            for pk, text in texts.items():
                copy.write_row((pk, world.seller_id, text))
        # As orders.models.order_search_text writes them: #number#, title, then each line's SKU and
        # description, lower-cased (all ASCII here, so lower() is search_key).
        cursor.execute(
            """
            INSERT INTO orders_ordersearch (order_id, order_text)
            SELECT o.id,
                '#' || o.number || '# ' || lower(o.title) || ' '
                    || string_agg(lower(l.sku) || ' ' || lower(l.description), ' ' ORDER BY l.position)
            FROM orders_order o
            JOIN orders_orderline l ON l.order_id = o.id
            WHERE o.seller_id = %s
            GROUP BY o.id
            """,
            [world.seller_id],
        )
        cursor.execute(
            "CREATE INDEX order_search_order_trgm ON orders_ordersearch USING gin (order_text gin_trgm_ops)"
        )
    Seller.objects.filter(pk=world.seller_id).update(order_counter=size)
    recount(world.seller_id)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def time_badge(world: World) -> tuple[float, float, str]:
    """The attention badge's query (every seller page runs it), in-process: p50 and p95 of 300 runs."""
    from orderflow.accounts.models import Seller
    from orderflow.orders.selectors import attention_count

    seller = Seller.objects.get(pk=world.seller_id)
    attention_count(seller)
    times = []
    for _ in range(300):
        started = time.perf_counter()
        attention_count(seller)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)], load_average()


def views(world: World) -> list[tuple[str, str, bool]]:
    """(name, path, is a search) of every view measured."""
    d = world.dashboard
    return [
        ("default (latest activity first)", d, False),
        ("filter: order type", f"{d}?type=shop", False),
        ("filter: stage open", f"{d}?category=open", False),
        ("filter: stage done", f"{d}?category=done", False),
        ("filter: status", f"{d}?state=shop:in_preparation", False),
        ("filter: assignee", f"{d}?assignee={world.assignee_id}", False),
        ("filter: unassigned", f"{d}?assignee=unassigned", False),
        ("filter: customer", f"{d}?customer={world.customer_id}", False),
        ("filter: with archived", f"{d}?archived=on", False),
        ("sort: oldest activity", f"{d}?sort=last_activity", False),
        ("sort: newest", f"{d}?sort=-submitted", False),
        ("sort: oldest", f"{d}?sort=submitted", False),
        ("sort: due soonest", f"{d}?sort=estimated_completion", False),
        ("sort: due latest", f"{d}?sort=-estimated_completion", False),
        ("page 50", f"{d}?page=50", False),
        ("search: customer, no accent (elise gagnon)", f"{d}?q=elise+gagnon", True),
        ("search: SKU (sku-01234)", f"{d}?q=sku-01234", True),
        ("search: no match (zqxwv)", f"{d}?q=zqxwv", True),
        ("search: no match, with archived", f"{d}?q=zqxwv&archived=on", True),
        ("API GET /api/v1/orders?limit=50", "/api/v1/orders?limit=50", False),
    ]


def measure(base: str, world: World, seconds: int, database: str) -> dict[str, tuple[Run, Run]]:
    measured = {}
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(LUA)
        script.flush()
        for name, path, _search in views(world):
            headers = _headers(world, path)
            _check(base + path, headers)
            wrk(base + path, headers, script.name, seconds=1, connections=2)  # warm up
            one = wrk(base + path, headers, script.name, seconds=seconds, connections=1)
            web, db = cpu_seconds(gunicorn=True), cpu_seconds(database=database)
            eight = wrk(base + path, headers, script.name, seconds=seconds, connections=8)
            web, db = cpu_seconds(gunicorn=True) - web, cpu_seconds(database=database) - db
            requests = max(eight.requests, 1)
            eight = replace(eight, web_cpu_ms=web * 1000 / requests, db_cpu_ms=db * 1000 / requests)
            measured[name] = (one, eight)
            print(
                f"  {name:46} p50 {one.p50_ms:7.1f} ms  p95 {one.p95_ms:7.1f} ms  ({one.load})   "
                f"8 conn: {eight.per_second:6.1f} pages/s  ({eight.load}); CPU per page: gunicorn "
                f"{eight.web_cpu_ms:.1f} ms, PostgreSQL {eight.db_cpu_ms:.1f} ms",
                flush=True,
            )
    return measured


def _headers(world: World, path: str) -> list[str]:
    if path.startswith("/api/"):
        return [f"Authorization: Bearer {world.token}"]
    return [f"Cookie: {world.cookie}"]


def _check(url: str, headers: list[str]) -> None:
    """The view answers 200 with the list (logged in, not a login page) before it is measured."""
    request = urllib.request.Request(url, headers=dict(header.split(": ", 1) for header in headers))
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read().decode()
        if response.status != 200 or ("/api/" not in url and 'data-testid="list-total"' not in body):
            raise SystemExit(f"{url} did not answer with the list ({response.status})")


def wrk(url: str, headers: list[str], script: str, *, seconds: int, connections: int) -> Run:
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    command += ["-s", script, url]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next((line for line in output.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit("Could not read wrk's output:\n" + output)
    requests, duration_us, errors, p50, p95 = line.split()[1:]
    per_second = int(requests) / (int(duration_us) / 1e6)
    return Run(int(requests), per_second, float(p50), float(p95), int(errors), load_average())


def report(
    sizes: list[int],
    results: dict[int, dict[str, tuple[Run, Run]]],
    badges: dict[int, tuple[float, float, str]],
) -> None:
    print("\nAttention badge query (in-process, 300 runs): p50 / p95")
    for size in sizes:
        p50, p95, load = badges[size]
        print(f"  {size:>9,} orders: {p50:.2f} / {p95:.2f} ms  ({load})")
    biggest, smallest = max(sizes), min(sizes)
    print(f"\nTargets at {biggest:,} orders (p95 <= {P95_TARGET_MS:.0f} ms, search p95 <= "
          f"{SEARCH_P95_TARGET_MS:.0f} ms; >= {RATE_TARGET:.0f} pages/s with 8 connections; p50 within "
          f"{GROWTH_TARGET}x of {smallest:,}):")  # fmt: skip
    failures = 0
    names = {name: search for name, _path, search in views_template()}
    for name, (one, eight) in results[biggest].items():
        limit = SEARCH_P95_TARGET_MS if names.get(name) else P95_TARGET_MS
        verdicts = [
            f"p95 {one.p95_ms:.1f} ms {'met' if one.p95_ms <= limit else 'NOT met'}",
            f"{eight.per_second:.0f}/s {'met' if eight.per_second >= RATE_TARGET else 'NOT met'}",
        ]
        if smallest != biggest and name in results[smallest]:
            before = results[smallest][name][0].p50_ms
            growth = one.p50_ms / before if before else float("inf")
            verdicts.append(
                f"x{growth:.2f} of {smallest:,} {'met' if growth <= GROWTH_TARGET else 'NOT met'}"
            )
        failures += sum("NOT met" in verdict for verdict in verdicts)
        errors = one.errors + eight.errors
        flag = f"  ({errors} errors)" if errors else ""
        print(f"  {name:46} " + "; ".join(verdicts) + f"  [{one.load}]{flag}")
    print(f"\n{'all targets met' if not failures else f'{failures} figures NOT met'}; end: {load_average()}")


def views_template() -> list[tuple[str, str, bool]]:
    return views(World("", "", "", 0, 0, 0, ""))


if __name__ == "__main__":
    main()
