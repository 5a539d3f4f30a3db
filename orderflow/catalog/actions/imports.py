"""Importing a catalogue from a CSV or XLSX/XLS file: columns by header, items matched by SKU (updated)
or added, every row judged by the rules of `items`, and all rows saved or none.

The upload is judged at once (`start_catalog_import`: who, size, and what the content is, whatever
the file is called); the rows are read and saved by a background task (`run_catalog_import`), whose
outcome is kept on the `CatalogImport` row for the page to show."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from python_calamine import CalamineError, CalamineWorkbook

from orderflow.accounts.models import Seller
from orderflow.catalog.actions.items import (
    ITEM_FIELDS,
    Problem,
    backup_problem,
    check_kind_and_price,
    check_may_manage,
    check_values,
    snapshot,
    unknown_backup,
    unknown_order_type,
)
from orderflow.catalog.models import Availability, CatalogImport, ImportStatus, Item, ItemEvent, ItemKind
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.workflows.models import OrderType

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
# An XLSX is a zip: what it may unpack to, so that a small file cannot fill the memory.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
ERRORS_KEPT = 50
BATCH = 500

# Column (as the header names it) -> item field.
COLUMNS = {
    "sku": "sku",
    "name": "name",
    "description": "description",
    "kind": "kind",
    "unit": "unit",
    "unit_price": "unit_price",
    "tax_rate": "tax_rate",
    "availability": "availability",
    "backup_sku": "backup_item",
    "order_type": "order_type",
}
FIELD_COLUMNS = {item_field: column for column, item_field in COLUMNS.items()}
# An empty cell (or a column left out of a new item) means this.
DEFAULTS: dict[str, Any] = {
    "description": "",
    "kind": ItemKind.PRODUCT,
    "unit": "",
    "unit_price": None,
    "tax_rate": Decimal(0),
    "availability": Availability.AVAILABLE,
    "backup_item": None,
    "order_type": None,
}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
# Control characters no text file (CSV) holds; a binary file almost always does.
BINARY_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))


class ImportRefused(ActionError):
    """The upload itself is refused (too large, not a spreadsheet); nothing was stored."""


# ----------------------------------------------------------------------------------------------
# The upload


def sniff_format(content: bytes) -> str | None:
    """ "xlsx", "xls" or "csv" by what the bytes are, or None for anything else."""
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        names = {info.filename for info in infos}
        is_workbook = "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names)
        small_enough = sum(info.file_size for info in infos) <= MAX_UNZIPPED_BYTES
        return "xlsx" if is_workbook and small_enough else None
    if content.startswith(OLE2_MAGIC):
        return "xls"
    if any(byte in BINARY_BYTES for byte in content[:65536]) or _text(content) is None:
        return None
    return "csv"


def _text(content: bytes) -> str | None:
    """The file as text: UTF-8 (with or without BOM), else Windows-1252 (what spreadsheet programs
    write in English and French); None when it is neither."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def start_catalog_import(seller: Seller, *, actor: Actor, file_name: str, file: IO[bytes]) -> CatalogImport:
    """Keep the uploaded file and queue its import. Refused at once (nothing stored): anyone but an
    owner or manager, an empty file, a file over MAX_IMPORT_BYTES (never read further than that), one
    that is not CSV, XLSX or XLS."""
    check_may_manage(actor, seller)
    details = {"field": "file"}
    content = file.read(MAX_IMPORT_BYTES + 1)
    if not content:
        raise ImportRefused("empty_file", _("The file is empty."), details=details)
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRefused(
            "too_large",
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_IMPORT_BYTES // (1024 * 1024)},
            details=details,
        )
    file_format = sniff_format(content)
    if file_format is None:
        raise ImportRefused(
            "not_a_spreadsheet",
            _("This file is not a spreadsheet: upload a CSV file or an Excel workbook (XLSX or XLS)."),
            details=details,
        )
    record = CatalogImport.objects.create(
        seller=seller,
        uploaded_by=actor.membership,
        file_name=file_name[:255],
        file_format=file_format,
        content=content,
    )
    run_catalog_import.enqueue(record.pk)
    return record


# ----------------------------------------------------------------------------------------------
# The task


@task()
def run_catalog_import(import_id: int) -> str:
    """Import the rows of a queued upload, once (a second run of the same import does nothing)."""
    claimed = CatalogImport.objects.filter(pk=import_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING
    )
    if not claimed:
        return "already run"
    record = CatalogImport.objects.select_related("seller", "uploaded_by__user", "uploaded_by__seller").get(
        pk=import_id
    )
    member = record.uploaded_by
    actor = Actor.staff(member) if member is not None else Actor.system(_("Catalogue import"))
    language = member.reading_language if member is not None else record.seller.locale
    with translation.override(language):
        try:
            check_may_manage(actor, record.seller)
            outcome = _import(record, actor)
        except ActionError as error:
            outcome = Outcome(
                errors=[{"row": None, "column": None, "code": error.code, "message": error.message}]
            )
        except Exception:
            # A defect, not the file: say so on the page rather than leave the import running forever.
            message = _("The import failed unexpectedly; nothing was saved. Try again or ask for help.")
            _finish(
                record, Outcome(errors=[{"row": None, "column": None, "code": "failed", "message": message}])
            )
            raise
    _finish(record, outcome)
    return record.status


def _finish(record: CatalogImport, outcome: Outcome) -> None:
    record.status = ImportStatus.FAILED if outcome.errors else ImportStatus.DONE
    record.row_count = outcome.rows
    record.created_count = outcome.created
    record.updated_count = outcome.updated
    record.error_count = outcome.error_count or len(outcome.errors)
    record.errors = outcome.errors[:ERRORS_KEPT]
    record.finished_at = timezone.now()
    record.content = b""  # read once; not kept
    record.save()


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Row:
    number: int
    values: dict[str, Any]  # item field -> cleaned value, for the columns the file has
    backup_sku: str | None = None  # None: the file has no such column (the item's stays)
    order_type_key: str | None = None
    refused: frozenset[str] = frozenset()  # fields whose value was refused on its own


class Errors:
    """Every problem found, the first ERRORS_KEPT of them kept."""

    def __init__(self) -> None:
        self.count = 0
        self.kept: list[dict[str, Any]] = []

    def add(self, row: int | None, column: str | None, code: str, message: str) -> None:
        self.count += 1
        if len(self.kept) < ERRORS_KEPT:
            self.kept.append({"row": row, "column": column, "code": code, "message": message})

    def problem(self, row: int, problem: Problem) -> None:
        self.add(row, FIELD_COLUMNS.get(problem.field, problem.field), problem.code, problem.message)


def _cell(value: object) -> str:
    """A spreadsheet cell as the text a person typed: 1001.0 -> "1001", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(str(value)))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _rows(record: CatalogImport) -> Iterator[list[str]]:
    content = bytes(record.content)
    if record.file_format == "csv":
        text = _text(content) or ""
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        for cells in sheet.iter_rows():
            yield [_cell(value) for value in cells]
    except CalamineError as exc:
        raise ActionError(
            "unreadable", _("The workbook cannot be read: %(reason)s") % {"reason": exc}
        ) from None


def _header(cells: list[str], errors: Errors) -> dict[int, str]:
    """Column index -> column name, for the known columns; unknown, repeated or missing ones are errors."""
    columns: dict[int, str] = {}
    for index, cell in enumerate(cells):
        name = cell.strip().lower().replace(" ", "_")
        if not name:
            continue
        if name not in COLUMNS:
            errors.add(
                1,
                cell.strip(),
                "unknown_column",
                _("Unknown column %(column)s; the columns are %(columns)s.")
                % {"column": cell.strip(), "columns": ", ".join(COLUMNS)},
            )
        elif name in columns.values():
            errors.add(
                1, name, "duplicate_column", _("The column %(column)s appears twice.") % {"column": name}
            )
        else:
            columns[index] = name
    for required in ("sku", "name"):
        if required not in columns.values():
            errors.add(
                1, required, "missing_column", _("The column %(column)s is missing.") % {"column": required}
            )
    return columns


def _read(record: CatalogImport, errors: Errors) -> list[Row]:
    """The file's rows, each checked on its own (blank rows skipped)."""
    rows: list[Row] = []
    columns: dict[int, str] | None = None
    try:
        for number, cells in enumerate(_rows(record), start=1):
            if columns is None:
                columns = _header(cells, errors)
                if errors.count:
                    return []
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                errors.add(
                    number,
                    None,
                    "too_many_rows",
                    _("The file has more than %(limit)s rows; split it.") % {"limit": MAX_ROWS},
                )
                return []
            raw = {
                column: (cells[index].strip() if index < len(cells) else "")
                for index, column in columns.items()
            }
            rows.append(_row(number, raw, errors))
    except csv.Error as exc:
        errors.add(None, None, "unreadable", _("The CSV file cannot be read: %(reason)s") % {"reason": exc})
    if columns is None:
        errors.add(1, None, "missing_column", _("The file is empty: the first row must name the columns."))
    return rows


def _row(number: int, raw: dict[str, str], errors: Errors) -> Row:
    given: dict[str, Any] = {}
    for column, text in raw.items():
        item_field = COLUMNS[column]
        if item_field in ("backup_item", "order_type"):
            continue
        if item_field == "unit_price" or item_field == "tax_rate":
            # French spreadsheets write 12,50.
            text = text.replace(",", ".") if "." not in text else text
        if item_field in ("kind", "availability"):
            text = text.lower()
        given[item_field] = text if text or item_field in ("sku", "name") else DEFAULTS[item_field]
    values, problems = check_values(given)
    for problem in problems:
        errors.problem(number, problem)
    return Row(
        number,
        values,
        backup_sku=raw.get("backup_sku"),
        order_type_key=raw.get("order_type"),
        refused=frozenset(problem.field for problem in problems),
    )


def _import(record: CatalogImport, actor: Actor) -> Outcome:
    errors = Errors()
    rows = _read(record, errors)
    seller = record.seller
    items = {
        item.sku: item
        for item in Item.objects.filter(seller=seller).select_related("backup_item", "order_type")
    }
    order_types = {order_type.key: order_type for order_type in OrderType.objects.filter(seller=seller)}
    skus_in_file: dict[str, int] = {}
    for row in rows:
        sku = row.values.get("sku", "")
        if sku and sku in skus_in_file:
            errors.add(
                row.number,
                "sku",
                "duplicate_sku",
                _("The SKU %(sku)s is also on row %(row)s.") % {"sku": sku, "row": skus_in_file[sku]},
            )
        skus_in_file.setdefault(sku, row.number)
    for row in rows:
        _check_row(row, items.get(row.values.get("sku", "")), items, skus_in_file, order_types, errors)
    if errors.count:
        return Outcome(rows=len(rows), error_count=errors.count, errors=errors.kept)
    with transaction.atomic():
        created, updated = _save(record, rows, items, order_types, actor)
    return Outcome(rows=len(rows), created=created, updated=updated)


def _check_row(
    row: Row,
    existing: Item | None,
    items: dict[str, Item],
    skus_in_file: dict[str, int],
    order_types: dict[str, OrderType],
    errors: Errors,
) -> None:
    """The rules that need the seller's data or the other rows: price by kind (with the item's current
    values for columns the file leaves out), the backup item, the order type."""
    values = row.values
    kind = values["kind"] if "kind" in values else existing.kind if existing else DEFAULTS["kind"]
    price = values.get("unit_price", existing.unit_price if existing else None)
    judged = not row.refused & {"kind", "unit_price"}
    problem = check_kind_and_price(kind, price) if judged else None
    if problem is not None:
        errors.problem(row.number, problem)
    if row.backup_sku:
        if row.backup_sku not in items and row.backup_sku not in skus_in_file:
            errors.problem(row.number, unknown_backup(row.backup_sku))
        problem = backup_problem(Item(sku=row.backup_sku), sku=values.get("sku", ""), item_pk=None)
        if problem is not None:
            errors.problem(row.number, problem)
    if row.order_type_key and row.order_type_key not in order_types:
        errors.problem(row.number, unknown_order_type(row.order_type_key))


def _save(
    record: CatalogImport,
    rows: list[Row],
    items: dict[str, Item],
    order_types: dict[str, OrderType],
    actor: Actor,
) -> tuple[int, int]:
    """Write every row in bulk: new items, then the changed ones (backups can name new items), then one
    "imported" event per item added or changed. Caller holds the transaction."""
    now = timezone.now()
    fresh: list[tuple[Row, Item]] = []
    for row in rows:
        if row.values["sku"] not in items:
            item = Item(seller=record.seller, **{**DEFAULTS, **row.values, "backup_item": None})
            item.order_type = order_types.get(row.order_type_key) if row.order_type_key else None
            item.search_text = item.searchable()
            item.created_at = item.updated_at = now
            fresh.append((row, item))
    Item.objects.bulk_create([item for _row, item in fresh], batch_size=BATCH)
    for _row, item in fresh:
        items[item.sku] = item

    fresh_skus = {item.sku for _row, item in fresh}
    changed: list[Item] = []
    changed_fields: set[str] = set()
    events: list[ItemEvent] = []
    user = actor.membership.user if actor.membership is not None else None
    for row in rows:
        item = items[row.values["sku"]]
        values = dict(row.values)
        if row.backup_sku is not None:
            values["backup_item"] = items[row.backup_sku] if row.backup_sku else None
        if row.order_type_key is not None:
            values["order_type"] = order_types[row.order_type_key] if row.order_type_key else None
        new = item.sku in fresh_skus
        fields = [name for name in ITEM_FIELDS if name in values and values[name] != getattr(item, name)]
        before = {} if new else snapshot(item, fields)
        for name in fields:
            setattr(item, name, values[name])
        if fields:
            item.search_text = item.searchable()
            item.updated_at = now
            changed.append(item)
            changed_fields.update(fields)
        if new or fields:
            data = {"import": record.pk, "after": snapshot(item) if new else snapshot(item, fields)}
            if not new:
                data["before"] = before
            events.append(
                ItemEvent(
                    item=item,
                    seller=record.seller,
                    type="imported",
                    actor_user=user,
                    actor_name=actor.name,
                    data=data,
                    created_at=now,
                )
            )
    if changed:
        written = [name for name in ITEM_FIELDS if name in changed_fields]
        if changed_fields & {"sku", "name"}:
            written.append("search_text")
        _update_rows(changed, [*written, "updated_at"])
    ItemEvent.objects.bulk_create(events, batch_size=BATCH)
    updated = sum(1 for item in changed if item.sku not in fresh_skus)
    return len(fresh), updated


def _update_rows(items: list[Item], fields: list[str]) -> None:
    """Write these fields of each item: one UPDATE statement executed for every row. (bulk_update
    writes a CASE over the batch's ids per column, which both Django and the database then evaluate
    row by row: 40,000 rows took minutes.) Values are prepared by the fields, as save() prepares them."""
    quote = connection.ops.quote_name
    columns: list[models.Field[Any, Any]] = []
    names: list[str] = []
    for name in fields:
        field = Item._meta.get_field(name)
        assert isinstance(field, models.Field)
        assert field.column is not None
        columns.append(field)
        names.append(field.column)
    assignments = ", ".join(f"{quote(column)} = %s" for column in names)
    sql = f"UPDATE {quote(Item._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    rows = [
        [column.get_db_prep_save(getattr(item, column.attname), connection) for column in columns] + [item.pk]
        for item in items
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])
