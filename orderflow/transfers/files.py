"""Reading a spreadsheet file of people: CSV, TXT (tab-separated), XLS or XLSX, judged by content.

`inspect_file` looks at the bytes once (size, what they are, the text encoding and the delimiter) and
either refuses them (`FileRefused`, a stable code) or returns a `FileInfo`; `iter_rows` then reads the
rows one at a time from the stored file, so a file of a million rows never becomes a million objects.

Encodings: UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's "Unicode text"), else Windows-1252
(what Excel writes as "CSV" in English and French); a text holding control characters is not text. The
delimiter is the one `csv.Sniffer` finds among comma, semicolon and tab in the first lines, else the most
frequent of them in the first line. Workbooks are read by python-calamine; an XLSX (a zip) is refused
when its members would unpack to more than `MAX_UNZIPPED_BYTES` or `MAX_ZIP_RATIO` times its size,
before anything is unpacked."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from orderflow.core.errors import ActionError

FORMATS = ("csv", "txt", "xls", "xlsx")
# The limits of the source article: an XLSX is compressed, the others are not.
MAX_BYTES = {"xlsx": 1024 * 1024, "xls": 5 * 1024 * 1024, "csv": 5 * 1024 * 1024, "txt": 5 * 1024 * 1024}
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_ENTRIES = 2000
MAX_CELL_CHARS = 1000
SAMPLE_BYTES = 64 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = ",;\t"
# Characters no text file of people holds; a binary file (an executable renamed .csv) almost always does.
_CONTROL = frozenset(chr(code) for code in [*range(0, 9), 11, 12, *range(14, 32), 127])


class FileRefused(ActionError):
    """The file itself is refused (too large, not what it claims, unreadable); nothing was stored."""


@dataclass(frozen=True)
class FileInfo:
    file_format: str  # csv, txt, xls, xlsx: what the content is (txt: text whose delimiter is a tab)
    encoding: str = ""  # text only, a Python codec name
    delimiter: str = ""  # text only


def _refuse(code: str, message: str) -> FileRefused:
    return FileRefused(code, message, details={"field": "file"})


def _too_large(limit: int) -> FileRefused:
    return _refuse(
        "too_large",
        _("The file is larger than %(limit)s MB for its type.") % {"limit": round(limit / (1024 * 1024), 1)},
    )


def inspect_file(
    head: bytes, size: int, *, limits: dict[str, int] | None = None, whole: IO[bytes]
) -> FileInfo:
    """What the file is, from its first bytes (`head`, at least SAMPLE_BYTES when the file is that long),
    its size, and for a zip the file itself (`whole`, seekable) to read the zip's directory. Refused: an
    empty file, one over its type's limit, a zip that is not a workbook or unpacks too far, and anything
    that is neither a workbook nor text."""
    limits = {**MAX_BYTES, **(limits or {})}
    if size == 0:
        raise _refuse("empty_file", _("The file is empty."))
    if head.startswith(ZIP_MAGIC):
        if size > limits["xlsx"]:
            raise _too_large(limits["xlsx"])
        _check_workbook_zip(whole, size)
        return FileInfo("xlsx")
    if head.startswith(OLE2_MAGIC):
        if size > limits["xls"]:
            raise _too_large(limits["xls"])
        return FileInfo("xls")
    if size > max(limits["csv"], limits["txt"]):
        raise _too_large(max(limits["csv"], limits["txt"]))
    encoding = detect_encoding(head)
    if encoding is None:
        raise _refuse(
            "not_a_spreadsheet",
            _("This file is not a spreadsheet: upload a CSV or TXT file or an Excel workbook (XLSX or XLS)."),
        )
    text = head.decode(encoding, errors="ignore")  # the sample may end inside a character
    delimiter = detect_delimiter(text)
    file_format = "txt" if delimiter == "\t" else "csv"
    if size > limits[file_format]:
        raise _too_large(limits[file_format])
    return FileInfo(file_format, encoding, delimiter)


def _check_workbook_zip(whole: IO[bytes], size: int) -> None:
    not_workbook = _refuse(
        "not_a_spreadsheet", _("This file is not an Excel workbook, whatever its name says.")
    )
    try:
        whole.seek(0)
        with zipfile.ZipFile(whole) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_workbook from None
    finally:
        whole.seek(0)
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise not_workbook
    unpacked = sum(info.file_size for info in infos)
    if (
        len(infos) > MAX_ZIP_ENTRIES
        or unpacked > MAX_UNZIPPED_BYTES
        or unpacked > MAX_ZIP_RATIO * max(size, 1)
    ):
        raise _refuse(
            "zip_bomb", _("This workbook would unpack to far more than its size; it is refused for safety.")
        )


def detect_encoding(sample: bytes) -> str | None:
    """The codec of a text file from its first bytes, or None when they are not text."""
    if sample.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            # The sample may end inside a multi-byte character: decode it incrementally, not final.
            text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        if any(char in _CONTROL for char in text):
            return None
        return encoding
    return None


def detect_delimiter(text: str) -> str:
    lines = text.splitlines()[:20]
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = lines[0] if lines else ""
        return max(DELIMITERS, key=first.count)


def cell_text(value: object) -> str:
    """A workbook cell as the text a person typed: 1001.0 -> "1001", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(str(value)))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def iter_rows(stream: IO[bytes], info: FileInfo) -> Iterator[list[str]]:
    """Every row of the file's first sheet as a list of trimmed strings, read as it goes (a workbook's
    sheet is held by calamine; a text file is decoded line by line). Raises FileRefused("unreadable")."""
    if info.file_format in ("csv", "txt"):
        text = io.TextIOWrapper(stream, encoding=info.encoding, newline="")
        try:
            for cells in csv.reader(text, delimiter=info.delimiter):
                yield [cell.strip()[:MAX_CELL_CHARS] for cell in cells]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _refuse("unreadable", _("The file cannot be read: %(reason)s") % {"reason": exc}) from None
        finally:
            if not stream.closed:
                text.detach()  # the caller closes its stream
        return
    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        sheet = workbook.get_sheet_by_index(0)
        for values in sheet.iter_rows():
            yield [cell_text(value).strip()[:MAX_CELL_CHARS] for value in values]
    except CalamineError as exc:
        raise _refuse("unreadable", _("The workbook cannot be read: %(reason)s") % {"reason": exc}) from None
