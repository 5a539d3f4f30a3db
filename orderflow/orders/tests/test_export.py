"""Orders as CSV and XLSX: the rows of a filtered list, typed cells, formulas defused, the reader's
language, and a large export that stays within memory and time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import tracemalloc
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from orderflow.accounts.actions import add_customer
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.orders import export
from orderflow.orders.actions import LineInput, assign_order, place_order, set_estimated_completion
from orderflow.orders.models import Order
from orderflow.orders.selectors import OrderFilters, order_list

NEW_YORK = ZoneInfo("America/New_York")
# Titles are stripped when saved, so a leading tab or CR is tested on `defuse` alone.
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"]


def read_csv(orders, language="en") -> list[list[str]]:
    text = "".join(export.csv_lines(orders, language=language, tz=NEW_YORK))
    assert text.startswith("\ufeff")
    delimiter = ";" if language == "fr" else ","
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def write_xlsx(orders, language="en") -> bytes:
    buffer = io.BytesIO()
    export.write_xlsx(orders, buffer, language=language, tz=NEW_YORK)
    return buffer.getvalue()


@pytest.fixture
def two_orders(make_order, olivia, sam):
    """#1 a shop order of 3 x 12.50 assigned to Sam with an estimate; #2 a distributor order."""
    first = make_order("shop", title="Birthday cake")
    assign_order(first, assignee=sam, actor=Actor.staff(olivia))
    set_estimated_completion(first, date=dt.date(2099, 1, 31), actor=Actor.staff(olivia))
    second = make_order("distributor", title="Weekend restock")
    return first, second


def test_csv_has_a_bom_one_header_row_and_a_row_per_order(two_orders, acme):
    table = read_csv(order_list(acme, OrderFilters(sort="submitted")))

    assert len(table) == 3
    header, first, second = table
    assert header[:5] == ["Order number", "Title", "Customer", "Contact", "Status"]
    row = dict(zip(header, first, strict=True))
    assert row["Order number"] == "1"
    assert row["Title"] == "Birthday cake"
    assert row["Customer"] == "Corner Bar"
    assert row["Contact"] == "Alice Martin"
    assert row["Assignee"] == "Sam"
    assert row["Estimated completion"] == "2099-01-31"
    assert row["Total"] == "37.50"
    assert row["Currency"] == "USD"
    assert row["Archived"] == "no"
    assert dict(zip(header, second, strict=True))["Order number"] == "2"


def test_xlsx_cells_are_typed(two_orders, acme):
    data = write_xlsx(order_list(acme, OrderFilters(sort="submitted")))

    sheet = load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell for cell in sheet[2]], strict=True))
    assert first["Order number"].value == 1
    assert first["Order number"].data_type == "n"
    assert first["Total"].value == pytest.approx(37.5)
    assert first["Total"].data_type == "n"
    assert isinstance(first["Submitted"].value, dt.datetime)
    assert first["Submitted"].is_date
    assert first["Estimated completion"].value.date() == dt.date(2099, 1, 31)
    assert first["Archived"].value is False
    assert first["Closed"].value is None
    assert sheet.max_row == 3


def test_the_list_filters_decide_the_rows(two_orders, acme, sam):
    shop_only = order_list(acme, OrderFilters(assignee=sam))

    numbers = [row[0] for row in read_csv(shop_only)[1:]]
    assert numbers == ["1"]
    sheet = load_workbook(io.BytesIO(write_xlsx(shop_only))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [1]


def test_text_a_spreadsheet_would_run_is_defused(acme, order_types, olivia):
    # Given a customer and orders whose names a spreadsheet would take for formulas
    customer = add_customer(acme, name="=cmd|' /C calc'!A0")
    for title in HOSTILE:
        place_order(
            customer,
            order_type=order_types["shop"],
            actor=Actor.staff(olivia),
            title=title,
            lines=[LineInput("x", 1, "1.00")],
        )
    orders = order_list(acme, OrderFilters(sort="submitted"))

    # CSV: a leading apostrophe, the rest as it was
    rows = read_csv(orders)[1:]
    assert [row[1] for row in rows] == [f"'{title}" for title in HOSTILE]
    assert {row[2] for row in rows} == {"'=cmd|' /C calc'!A0"}

    # XLSX: string cells holding the exact text; no formula anywhere
    data = write_xlsx(orders)
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    titles = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert [cell.data_type for cell in titles] == ["s"] * len(HOSTILE)
    assert [cell.value for cell in titles] == HOSTILE
    # ... and another reader (calamine) sees the same text, not a computed value
    values = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert values[1][1] == HOSTILE[0]
    assert values[1][2] == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_defuse_prefixes_every_formula_start(text):
    assert export.defuse(text) == "'" + text
    assert export.defuse("a" + text) == "a" + text


def test_numbers_that_are_not_text_are_not_prefixed(acme, order_types, olivia, corner_bar):
    place_order(
        corner_bar,
        order_type=order_types["shop"],
        actor=Actor.staff(olivia),
        title="Plain",
        lines=[LineInput("x", 2, "0.25")],
    )
    row = read_csv(order_list(acme))[1]
    assert row[1] == "Plain"
    assert row[12] == "0.50"


def test_a_french_reader_gets_french_headers_and_status_labels(two_orders, acme):
    orders = order_list(acme, OrderFilters(sort="submitted"))

    header, first, _second = read_csv(orders, language="fr")
    assert header[:5] == ["Numéro de commande", "Titre", "Client", "Contact", "Statut"]
    assert first[4] == Order.objects.get(number=1, seller=acme).current_state.label("fr")
    assert first[4] != Order.objects.get(number=1, seller=acme).current_state.label("en")
    assert first[-1] == "non"
    total = header.index("Total")
    # 12,50: what French spreadsheets read as a number
    assert "," in first[total]
    assert "." not in first[total]
    sheet = load_workbook(io.BytesIO(write_xlsx(orders, language="fr"))).active
    assert sheet.title == "Commandes"
    assert sheet["B1"].value == "Titre"


def test_times_are_the_sellers_local_time(acme, order_types, olivia, corner_bar):
    order = place_order(corner_bar, order_type=order_types["shop"], actor=Actor.staff(olivia), title="T")
    local = order.submitted_at.astimezone(NEW_YORK)

    row = read_csv(order_list(acme))[1]
    assert row[8] == f"{local:%Y-%m-%d %H:%M}"


def test_an_export_too_large_is_refused(two_orders, acme, monkeypatch):
    monkeypatch.setitem(export.MAX_ROWS, "xlsx", 1)
    with pytest.raises(ActionError) as refused:
        export.check_size(order_list(acme), "xlsx")
    assert refused.value.code == "export_too_large"
    export.check_size(order_list(acme), "csv")
    export.check_size(order_list(acme, OrderFilters(search="Birthday")), "xlsx")


def test_the_file_name_has_the_seller_and_the_date(acme):
    assert export.filename(acme, "xlsx", dt.date(2026, 6, 10)) == "orders-acme-2026-06-10.xlsx"


@pytest.mark.slow
def test_ten_thousand_orders_export_in_bounded_memory_and_time(acme, order_types, corner_bar, alice):
    # Given 10,000 orders with a line each, written in bulk (placing them one by one takes minutes)
    template = place_order(
        corner_bar,
        order_type=order_types["shop"],
        actor=Actor.customer(alice),
        title="Order",
        lines=[LineInput("Crate", 2, "9.99")],
    )
    now = template.submitted_at
    copies = [
        Order(
            seller=acme,
            number=number,
            order_type=template.order_type,
            workflow_version=template.workflow_version,
            state=template.state,
            state_category=template.state_category,
            customer=corner_bar,
            placed_by=alice,
            title=f"Order {number}",
            currency="USD",
            submitted_at=now,
            last_activity_at=now,
        )
        for number in range(2, 10_001)
    ]
    Order.objects.bulk_create(copies, batch_size=2000)
    line = template.lines.get()
    line_model = type(line)
    line_model.objects.bulk_create(
        [
            line_model(order=order, position=1, description="Crate", quantity=2, unit_price=Decimal("9.99"))
            for order in Order.objects.filter(seller=acme).exclude(pk=template.pk)
        ],
        batch_size=2000,
    )
    orders = order_list(acme)

    def run(write: str) -> int:
        if write == "csv":
            return sum(len(line) for line in export.csv_lines(orders, language="en", tz=NEW_YORK))
        return len(write_xlsx(orders))

    # Alone on an idle machine: CSV about 3 s, XLSX about 15 s. The bounds leave room for a loaded
    # machine (the whole suite on two shared cores); what must not grow with the rows is the queries.
    bounds = {"csv": 60, "xlsx": 150}
    for write in ("csv", "xlsx"):
        # Time and queries first, then memory: tracing every allocation slows Python down several times
        started = time.monotonic()
        with CaptureQueriesContext(connection) as queries:
            size = run(write)
        elapsed = time.monotonic() - started
        tracemalloc.start()
        run(write)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{write}: {size} bytes in {elapsed:.1f} s, peak {peak / 2**20:.1f} MiB")
        assert size > 10_000 * 40
        # The orders with their joins and totals (in chunks on PostgreSQL), the one workflow version
        assert len(queries) <= 12, [query["sql"][:120] for query in queries]
        assert elapsed < bounds[write], f"{write} took {elapsed:.1f} s"
        # CSV holds one chunk of orders; XLSX's write-only sheet keeps its rows in a temporary file
        assert peak < 40 * 2**20, f"{write} peaked at {peak / 2**20:.1f} MiB"
    rows = read_csv(orders)
    assert len(rows) == 10_001
    assert {row[12] for row in rows[1:]} == {"19.98"}
