"""People as a spreadsheet: the columns, and the CSV and XLSX writers. Rows are read in chunks from the
database and written as they come (openpyxl's write-only workbook), so a large export holds one chunk.
Every text cell goes through `defuse` (no formula runs when the file is opened)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from orderflow.leads.models import Person
from orderflow.transfers.formulas import defuse

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 2000
# (field, header): what a file of people holds, in this order.
COLUMNS = (
    ("order__number", _("Order number")),
    ("kind", _("Kind")),
    ("first_name", _("First name")),
    ("last_name", _("Last name")),
    ("email", _("Email")),
    ("phone", _("Phone")),
    ("company", _("Company")),
    ("job_title", _("Job title")),
    ("source", _("Source")),
    ("notes", _("Notes")),
    ("opt_in", _("Opt-in")),
    ("do_not_contact", _("Do not contact")),
    ("added_by_name", _("Added by")),
    ("created_at", _("Added")),
)


def headers(language: str) -> list[str]:
    with translation.override(language):
        return [str(header) for _field, header in COLUMNS]


def rows(people: QuerySet[Person], tz: dt.tzinfo) -> Iterator[list[Any]]:
    fields = [name for name, _header in COLUMNS]
    for values in people.order_by("order_id", "id").values_list(*fields).iterator(chunk_size=CHUNK):
        row = list(values)
        added = row[-1]
        row[-1] = added.astimezone(tz).replace(tzinfo=None, microsecond=0) if added else None
        yield row


def write(file_format: str, header: list[str], data: Iterable[list[Any]], out: IO[bytes]) -> int:
    """Write the file to `out`; returns the number of rows written."""
    return write_csv(header, data, out) if file_format == "csv" else write_xlsx(header, data, out)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return defuse(str(value))


def write_csv(header: list[str], data: Iterable[list[Any]], out: IO[bytes]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([defuse(name) for name in header])
    count = 0
    for row in data:
        writer.writerow([_text(value) for value in row])
        count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx(header: list[str], data: Iterable[list[Any]], out: IO[bytes]) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="People")

    def cell(value: Any) -> WriteOnlyCell | Any:
        if isinstance(value, str):
            written = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", defuse(value)))
            written.data_type = "s"  # never a formula
            return written
        return value

    sheet.append([cell(name) for name in header])
    count = 0
    for row in data:
        sheet.append([cell(value) for value in row])
        count += 1
    workbook.save(out)
    return count
