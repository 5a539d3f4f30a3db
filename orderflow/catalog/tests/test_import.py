"""Importing a catalogue file: the upload judged by its content and size, the rows by the item rules,
every row saved or none (the task runs at once: tests use the immediate task backend)."""

from __future__ import annotations

import io
import time
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from orderflow.catalog.actions import MAX_IMPORT_BYTES, ImportRefused, start_catalog_import
from orderflow.catalog.actions.imports import sniff_format
from orderflow.catalog.models import CatalogImport, Item, ItemEvent
from orderflow.core.actors import Actor
from orderflow.core.errors import Forbidden
from orderflow.workflows.actions import install_order_type

HEADER = "sku,name,description,kind,unit,unit_price,tax_rate,availability,backup_sku,order_type\n"


def _import(seller, member, content: bytes, name: str = "catalogue.csv") -> CatalogImport:
    record = start_catalog_import(seller, actor=Actor.staff(member), file_name=name, file=io.BytesIO(content))
    record.refresh_from_db()
    return record


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_good_csv_adds_items_with_their_backups_and_logs_each(acme, olivia):
    shop = install_order_type(acme, preset="shop", actor=Actor.system())
    content = (
        HEADER
        + "KEG-50,Lager keg,50 litres,product,keg,189.00,8.875,out_of_stock,KEG-30,shop\n"
        + "KEG-30,Lager keg small,,product,keg,129.5,8.875,available,,\n"
        + "INSTALL,Tap installation,,quote,,,,,,\n"
        + ",,,,,,,,,\n"  # blank rows are skipped
    ).encode()
    record = _import(acme, olivia, content)
    assert (record.status, record.created_count, record.updated_count, record.errors) == ("done", 3, 0, [])
    keg = Item.objects.get(seller=acme, sku="KEG-50")
    assert (keg.unit_price, keg.tax_rate, keg.availability, keg.order_type) == (
        Decimal("189.00"),
        Decimal("8.875"),
        "out_of_stock",
        shop,
    )
    assert keg.backup_item is not None
    assert keg.backup_item.sku == "KEG-30"
    assert Item.objects.get(sku="INSTALL").unit_price is None
    assert list(Item.objects.filter(search_text__contains="tap").values_list("sku", flat=True)) == ["INSTALL"]
    events = ItemEvent.objects.filter(type="imported")
    assert events.count() == 3
    assert {event.actor_user for event in events} == {olivia.user}
    assert not bytes(record.content)  # the file is not kept once read


def test_an_import_updates_items_by_sku_and_logs_what_changed(acme, olivia, keg, case):
    content = (
        b"SKU;Name;Unit price\nKEG-50;Lager keg 50 L;199,90\n"
        + b"CASE-24;Lager case of 24;32.50\nNEW;New;1\n"
    )
    record = _import(acme, olivia, content)
    assert (record.status, record.created_count, record.updated_count) == ("done", 1, 1)
    keg.refresh_from_db()
    assert keg.unit_price == Decimal("199.90")
    assert keg.tax_rate == Decimal("8.875")  # a column the file leaves out keeps its value
    event = ItemEvent.objects.filter(item=keg).last()
    assert event is not None
    assert event.type == "imported"
    assert event.data["before"] == {"unit_price": "189.00"}
    assert event.data["after"] == {"unit_price": "199.90"}
    assert ItemEvent.objects.filter(item=case).count() == 1  # unchanged: no new line in its log


def test_an_xlsx_workbook_is_imported(acme, olivia):
    content = _xlsx(
        [["sku", "name", "unit_price", "tax_rate"], [1001, "Patch cable", 4.5, 20], ["SW-8", "Switch", 89, 0]]
    )
    record = _import(acme, olivia, content, name="whatever.txt")
    assert (record.file_format, record.status, record.created_count) == ("xlsx", "done", 2)
    cable = Item.objects.get(sku="1001")
    assert (cable.unit_price, cable.tax_rate) == (Decimal("4.5"), Decimal(20))


def test_a_bad_row_saves_nothing_and_names_row_and_column(acme, olivia, keg):
    content = (
        HEADER
        + "A,Thing A,,product,,1.00,,,,\n"
        + "B,Thing B,,product,,1.005,,,,\n"  # row 3: three decimals
        + "C,Thing C,,quote,,5,,,,\n"  # row 4: a quote with a price
        + "D,Thing D,,product,,1,101,,,\n"  # row 5: tax rate
        + "E,Thing E,,product,,1,,,NOPE,\n"  # row 6: unknown backup
        + "F,Thing F,,product,,1,,,F,\n"  # row 7: its own backup
        + "A,Thing A again,,product,,1,,,,\n"  # row 8: SKU twice in the file
        + "G,Thing G,,product,,1,,,,nope\n"  # row 9: unknown order type
        + "H,,,product,,1,,,,\n"  # row 10: no name
        + "I,Thing I,,product,,,,,,\n"  # row 11: no price
    ).encode()
    record = _import(acme, olivia, content)
    assert record.status == "failed"
    assert [(e["row"], e["column"], e["code"]) for e in record.errors] == [
        (3, "unit_price", "invalid_price"),
        (5, "tax_rate", "invalid_tax_rate"),
        (10, "name", "required"),
        (8, "sku", "duplicate_sku"),
        (4, "unit_price", "price_not_allowed"),
        (6, "backup_sku", "unknown_backup_item"),
        (7, "backup_sku", "backup_is_itself"),
        (9, "order_type", "unknown_order_type"),
        (11, "unit_price", "price_required"),
    ]
    assert all(error["message"] for error in record.errors)
    assert record.error_count == 9
    assert list(Item.objects.filter(seller=acme)) == [keg]


def test_a_backup_from_another_seller_is_unknown(acme, olivia, rival_item):
    record = _import(acme, olivia, b"sku,name,unit_price,backup_sku\nA,A,1,R-1\n")
    assert [(e["row"], e["code"]) for e in record.errors] == [(2, "unknown_backup_item")]


def test_unknown_or_missing_columns_are_refused(acme, olivia):
    record = _import(acme, olivia, b"sku,title,unit_price\nA,A,1\n")
    assert [(e["row"], e["column"], e["code"]) for e in record.errors] == [
        (1, "title", "unknown_column"),
        (1, "name", "missing_column"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00",
        b"PK\x03\x04 not really a zip",
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_at_upload(acme, olivia, content):
    with pytest.raises(ImportRefused) as refused:
        start_catalog_import(
            acme, actor=Actor.staff(olivia), file_name="catalogue.csv", file=io.BytesIO(content)
        )
    assert refused.value.code == "not_a_spreadsheet"
    assert not CatalogImport.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused_whatever_its_name(acme, olivia):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert sniff_format(out.getvalue()) is None
    with pytest.raises(ImportRefused) as refused:
        start_catalog_import(
            acme, actor=Actor.staff(olivia), file_name="catalogue.xlsx", file=io.BytesIO(out.getvalue())
        )
    assert refused.value.code == "not_a_spreadsheet"


def test_a_file_over_the_limit_or_empty_is_refused_at_upload(acme, olivia):
    too_large = (HEADER + "A,A,,product,,1,,,,\n" * (MAX_IMPORT_BYTES // 20)).encode()
    assert len(too_large) > MAX_IMPORT_BYTES
    with pytest.raises(ImportRefused) as refused:
        start_catalog_import(acme, actor=Actor.staff(olivia), file_name="c.csv", file=io.BytesIO(too_large))
    assert refused.value.code == "too_large"
    with pytest.raises(ImportRefused) as refused:
        start_catalog_import(acme, actor=Actor.staff(olivia), file_name="c.csv", file=io.BytesIO(b""))
    assert refused.value.code == "empty_file"
    assert not CatalogImport.objects.exists()


def test_staff_may_not_import(acme, sam):
    with pytest.raises(Forbidden):
        start_catalog_import(
            acme, actor=Actor.staff(sam), file_name="c.csv", file=io.BytesIO(b"sku,name\nA,A\n")
        )


def _big_csv(rows: int, *, bad_at: int | None = None, width: int = 0) -> bytes:
    """`rows` data rows (spreadsheet rows 2..rows+1); the row numbered `bad_at` has a price of -1."""
    padding = "x" * width
    lines = [HEADER]
    for number in range(2, rows + 2):
        price = "-1" if number == bad_at else "12.50"
        lines.append(f"SKU-{number},Item {number},{padding},product,unit,{price},5,available,,\n")
    return "".join(lines).encode()


@pytest.mark.slow
def test_a_10_mb_file_with_a_bad_row_at_line_40000_names_it_and_saves_nothing(acme, olivia):
    content = _big_csv(45_000, bad_at=40_000, width=165)
    assert 9 * 1024 * 1024 < len(content) <= MAX_IMPORT_BYTES
    record = _import(acme, olivia, content)
    assert record.status == "failed"
    assert [(e["row"], e["column"], e["code"]) for e in record.errors] == [
        (40_000, "unit_price", "invalid_price")
    ]
    assert not Item.objects.exists()
    assert not ItemEvent.objects.exists()


@pytest.mark.slow
def test_40000_rows_import_well_under_a_minute(acme, olivia):
    content = _big_csv(40_000)
    # CPU time of this process (the import runs in it, SQLite included): what the import costs, whatever
    # else the machine is busy with.
    started = time.process_time()
    record = _import(acme, olivia, content)
    elapsed = time.process_time() - started
    assert (record.status, record.created_count) == ("done", 40_000)
    assert Item.objects.filter(seller=acme).count() == 40_000
    assert ItemEvent.objects.filter(type="imported").count() == 40_000
    assert elapsed < 30, f"took {elapsed:.1f} s of CPU"
    # And again: every row now updates an item
    started = time.process_time()
    record = _import(acme, olivia, content.replace(b",12.50,", b",13.00,"))
    elapsed = time.process_time() - started
    assert (record.status, record.updated_count) == ("done", 40_000)
    assert Item.objects.filter(seller=acme, unit_price=Decimal("13.00")).count() == 40_000
    assert elapsed < 30, f"the update took {elapsed:.1f} s of CPU"
    print(f"40,000 rows: {elapsed:.1f} s of CPU")


def test_an_import_that_fails_unexpectedly_says_so_and_saves_nothing(acme, olivia, monkeypatch):
    from orderflow.catalog.actions import imports

    def broken(*args, **kwargs):
        raise RuntimeError("a defect")

    monkeypatch.setattr(imports, "_save", broken)
    record = _import(acme, olivia, b"sku,name,unit_price\nA,A,1\n")
    assert (record.status, [e["code"] for e in record.errors]) == ("failed", ["failed"])
    assert not Item.objects.exists()
