"""Orders as a spreadsheet: the rows of a filtered order list written as CSV or XLSX.

The workspace's dashboard and the API's `GET /orders/export` both write with these functions, so a file
says the same thing whichever surface made it. Headers and status labels are in the reader's language;
dates and times in the seller's time zone.

Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first) is defused: CSV has no
cell types, so such text gets a leading `'`; in XLSX it is written as a string cell, which no spreadsheet
evaluates, and keeps its exact value.

Both writers read the orders once, in chunks (a server-side cursor on PostgreSQL), so an export of many
thousand orders holds one chunk in memory: CSV is yielded line by line for a streaming response, XLSX is
written by openpyxl's write-only workbook into a file the caller provides (a temporary file).
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from babel import numbers as babel_numbers
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Sum
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import formats, timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from orderflow.accounts.models import Seller
from orderflow.core.errors import ActionError
from orderflow.core.formatting import babel_locale
from orderflow.orders.models import Order, OrderLine
from orderflow.workflows.definition import CATEGORY_LABELS
from orderflow.workflows.models import WorkflowVersion

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# More than anyone reads in a spreadsheet, and what a request can write in well under a minute: a CSV
# streams (about 3,000 rows a second), an XLSX is written whole before it is sent (openpyxl writes about
# 1,000 rows a second), so it holds fewer.
MAX_ROWS = {"csv": 100_000, "xlsx": 25_000}
CHUNK = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CENT = Decimal("0.01")

Value = str | int | Decimal | bool | dt.datetime | dt.date | None


@dataclass(frozen=True)
class Reader:
    """Who the file is for: their language, the seller's time zone, the stage names in that language
    (resolved up front: a streamed file is written after the view has left the reader's language)."""

    language: str
    tz: dt.tzinfo
    stages: dict[str, str]
    # (workflow version, state) -> label: parsing a definition again per row would cost more than the
    # rest of the row.
    labels: dict[tuple[int, str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, language: str, tz: dt.tzinfo) -> Reader:
        with translation.override(language):
            return cls(language, tz, {key: str(label) for key, label in CATEGORY_LABELS.items()})

    def state_label(self, order: Order) -> str:
        key = (order.workflow_version_id, order.state)
        label = self.labels.get(key)
        if label is None:
            label = self.labels[key] = order.current_state.label(self.language)
        return label


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation, read in the reader's language
    value: Callable[[Order, Reader], Value]
    number_format: str = ""  # XLSX only


def _local(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    # Spreadsheets have no time zones: the seller's wall-clock time, minute precision.
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def _total(order: Order) -> Decimal:
    return Decimal(getattr(order, "export_total", None) or 0).quantize(CENT)


COLUMNS = (
    Column(pgettext_lazy("export column", "Order number"), lambda o, r: o.number, "0"),
    Column(gettext_lazy("Title"), lambda o, r: o.title),
    Column(gettext_lazy("Customer"), lambda o, r: o.customer.name),
    Column(gettext_lazy("Contact"), lambda o, r: o.placed_by.name if o.placed_by else ""),
    Column(gettext_lazy("Status"), lambda o, r: r.state_label(o)),
    Column(gettext_lazy("Stage"), lambda o, r: r.stages.get(o.state_category, "")),
    Column(gettext_lazy("Order type"), lambda o, r: o.order_type.name),
    Column(gettext_lazy("Assignee"), lambda o, r: o.assignee.display_name if o.assignee else ""),
    Column(gettext_lazy("Submitted"), lambda o, r: _local(o.submitted_at, r.tz), "yyyy-mm-dd hh:mm"),
    Column(gettext_lazy("Last activity"), lambda o, r: _local(o.last_activity_at, r.tz), "yyyy-mm-dd hh:mm"),
    Column(gettext_lazy("Estimated completion"), lambda o, r: o.estimated_completion, "yyyy-mm-dd"),
    Column(gettext_lazy("Closed"), lambda o, r: _local(o.closed_at, r.tz), "yyyy-mm-dd hh:mm"),
    Column(gettext_lazy("Total"), lambda o, r: _total(o), "#,##0.00"),
    Column(gettext_lazy("Currency"), lambda o, r: o.currency),
    Column(gettext_lazy("Archived"), lambda o, r: o.archived),
)

_LINE_TOTAL = Subquery(
    OrderLine.objects.filter(order=OuterRef("pk"), unit_price__isnull=False)
    .values("order")
    .annotate(
        total=Sum(
            ExpressionWrapper(
                F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=26, decimal_places=5)
            )
        )
    )
    .values("total"),
    output_field=DecimalField(max_digits=26, decimal_places=5),
)


def check_size(orders: QuerySet[Order], file_format: str) -> None:
    """Refuse an export of more than MAX_ROWS orders for its format (one COUNT query)."""
    limit = MAX_ROWS[file_format]
    if orders.count() > limit:
        raise ActionError(
            "export_too_large",
            _("An export holds at most %(limit)s orders; narrow the filters and export again.")
            % {"limit": formats.number_format(limit, force_grouping=True)},
            details={"limit": limit},
        )


def filename(seller: Seller, file_format: str, today: dt.date) -> str:
    """`orders-<seller slug>-<date>.<format>`: several exports of several sellers never collide."""
    return f"orders-{seller.slug}-{today:%Y-%m-%d}.{file_format}"


def defuse(text: str) -> str:
    """Text as a CSV cell: a spreadsheet runs a cell starting with = + - @ (or a tab or CR before them)
    as a formula; a leading apostrophe makes it plain text."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def headers(language: str) -> list[str]:
    with translation.override(language):
        return [str(column.header) for column in COLUMNS]


def rows(orders: QuerySet[Order], *, language: str, tz: dt.tzinfo) -> Iterator[list[Value]]:
    """Each order as its typed cells, in the list's order. Expects the list's joins (`order_list`)."""
    reader = Reader.of(language, tz)
    versions: dict[int, WorkflowVersion] = {}
    for order in orders.annotate(export_total=_LINE_TOTAL).iterator(chunk_size=CHUNK):
        version = versions.get(order.workflow_version_id)
        if version is None:
            # Few per seller: read each the first time an order pins it.
            version = versions[order.workflow_version_id] = WorkflowVersion.objects.get(
                pk=order.workflow_version_id
            )
        order.workflow_version = version
        yield [column.value(order, reader) for column in COLUMNS]


class _Line:
    """What csv.writer writes to: hands back the line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(orders: QuerySet[Order], *, language: str, tz: dt.tzinfo) -> Iterator[str]:
    """The export as CSV, a line at a time: UTF-8 with a byte order mark (so Excel reads accents), one
    header row, then a row per order. Written as the reader's spreadsheet expects it: where numbers take a
    decimal comma (French), amounts are written `12,50` and cells are separated by semicolons."""
    with translation.override(language):
        yes, no = _("yes"), _("no")
    comma = babel_numbers.get_decimal_symbol(babel_locale(language)) == ","
    writer = csv.writer(_Line(), delimiter=";" if comma else ",")
    yield "\ufeff" + writer.writerow([defuse(header) for header in headers(language)])
    for values in rows(orders, language=language, tz=tz):
        yield writer.writerow([_csv_cell(value, yes, no, comma) for value in values])


def _csv_cell(value: Value, yes: str, no: str, decimal_comma: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value).replace(".", ",") if decimal_comma else str(value)
    return defuse(value)


def write_xlsx(orders: QuerySet[Order], file: IO[bytes], *, language: str, tz: dt.tzinfo) -> None:
    """The export as an XLSX workbook of one sheet, written to `file`: typed cells (numbers, dates,
    booleans), text always as string cells."""
    workbook = Workbook(write_only=True)
    with translation.override(language):
        sheet = workbook.create_sheet(title=str(pgettext_lazy("sheet name", "Orders")))
    sheet.append([_xlsx_cell(sheet, header, "") for header in headers(language)])
    for values in rows(orders, language=language, tz=tz):
        cells = zip(values, COLUMNS, strict=True)
        sheet.append([_xlsx_cell(sheet, value, column.number_format) for value, column in cells])
    workbook.save(file)


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Value, number_format: str) -> WriteOnlyCell:
    if isinstance(value, str):
        # XLSX cannot hold control characters; openpyxl refuses them rather than drop them.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # openpyxl makes text starting with "=" a formula; never here
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def response(orders: QuerySet[Order], file_format: str, *, seller: Seller, language: str) -> HttpResponseBase:
    """The export as a download for the reader: CSV streamed as it is written, XLSX written to a
    temporary file first (a workbook is a zip, finished at its end) and sent from there. The file name
    has the seller and the seller's date. Call `check_size` first."""
    tz = ZoneInfo(seller.time_zone)
    name = filename(seller, file_format, timezone.localdate(timezone=tz))
    answer: HttpResponseBase
    if file_format == "csv":
        answer = StreamingHttpResponse(
            csv_lines(orders, language=language, tz=tz), content_type=CONTENT_TYPES["csv"]
        )
        answer["Content-Disposition"] = content_disposition_header(True, name)
    else:
        # Not a `with`: the response sends the file and closes it, which deletes it.
        file = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            write_xlsx(orders, file, language=language, tz=tz)
        except BaseException:
            file.close()
            raise
        file.seek(0)
        answer = FileResponse(file, as_attachment=True, filename=name, content_type=CONTENT_TYPES["xlsx"])
    patch_cache_control(answer, private=True, no_store=True)
    return answer
