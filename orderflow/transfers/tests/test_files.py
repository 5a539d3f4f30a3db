"""Reading people files as spreadsheet programs write them: French Excel's semicolon CSV in
Windows-1252, UTF-16 "Unicode text", XLSX and XLS workbooks; and the files that must be refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from orderflow.transfers.files import FileRefused, inspect_file, iter_rows
from orderflow.transfers.mapping import check_mapping, guess_mapping

HERE = Path(__file__).parent / "files"
FRENCH_ROWS = [
    ["Prénom", "Nom", "Courriel", "Téléphone", "Société", "Poste"],
    ["Élodie", "Tremblay", "elodie@example.com", "514 555-0199", "Café Métro", "Directrice, ventes"],
    ["Benoît", "Côté", "benoit@example.com", "", "Œuvres & fils", "Chargé de projet"],
]


def read(content: bytes, **kwargs: object) -> tuple[str, list[list[str]]]:
    stream = io.BytesIO(content)
    info = inspect_file(content[:65536], len(content), whole=stream, **kwargs)  # type: ignore[arg-type]
    return info.file_format, list(iter_rows(stream, info))


def french_excel_csv() -> bytes:
    # What Excel (French locale) writes as "CSV (séparateur: point-virgule)": Windows-1252, CRLF.
    lines = [";".join(f'"{c}"' if ";" in c or "," in c else c for c in row) for row in FRENCH_ROWS]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def test_french_excel_semicolon_csv_in_windows_1252() -> None:
    file_format, rows = read(french_excel_csv())
    assert file_format == "csv"
    assert rows == FRENCH_ROWS


def test_utf16_tab_text_as_excel_writes_unicode_text() -> None:
    content = "\r\n".join("\t".join(row) for row in FRENCH_ROWS).encode("utf-16")  # BOM + UTF-16LE
    file_format, rows = read(content)
    assert file_format == "txt"
    assert rows == FRENCH_ROWS


def test_utf8_with_bom_and_comma() -> None:
    content = "\ufeff" + "\n".join(",".join(f'"{c}"' for c in row) for row in FRENCH_ROWS)
    file_format, rows = read(content.encode("utf-8"))
    assert file_format == "csv"
    assert rows == FRENCH_ROWS


def test_xlsx_written_by_openpyxl() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in FRENCH_ROWS:
        sheet.append(row)
    sheet.append(["Num", "", "num@example.com", 5145550123, "", "=1+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file_format, rows = read(buffer.getvalue())
    assert file_format == "xlsx"
    assert rows[:3] == FRENCH_ROWS
    assert rows[3][3] == "5145550123"


def test_xls_written_by_a_biff_writer() -> None:
    file_format, rows = read((HERE / "people.xls").read_bytes())
    assert file_format == "xls"
    assert rows[0] == ["Prénom", "Nom", "Courriel", "Téléphone", "Société", "Poste"]
    assert rows[1][4] == "Café Métro"
    assert rows[4][3] == "5145550123"


def test_zip_bomb_named_xlsx_is_refused_before_unpacking() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    with pytest.raises(FileRefused) as refused:
        read(buffer.getvalue())
    assert refused.value.code == "zip_bomb"


def test_a_zip_that_is_no_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FileRefused) as refused:
        read(buffer.getvalue())
    assert refused.value.code == "not_a_spreadsheet"


def test_renamed_executable_is_refused_by_content() -> None:
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8
    with pytest.raises(FileRefused) as refused:
        read(elf)
    assert refused.value.code == "not_a_spreadsheet"
    pe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    with pytest.raises(FileRefused):
        read(pe)


def test_empty_file_is_refused() -> None:
    with pytest.raises(FileRefused) as refused:
        read(b"")
    assert refused.value.code == "empty_file"


def test_limits_by_type() -> None:
    content = french_excel_csv()
    with pytest.raises(FileRefused) as refused:
        read(content, limits={"csv": 100})
    assert refused.value.code == "too_large"


def test_formula_cells_are_read_as_text() -> None:
    _format, rows = read(b'first_name,email\n=HYPERLINK("x"),a@example.com\n')
    assert rows[1][0] == '=HYPERLINK("x")'


def test_mapping_is_guessed_from_french_and_english_headers() -> None:
    assert guess_mapping(FRENCH_ROWS[0]) == {
        "0": "first_name",
        "1": "last_name",
        "2": "email",
        "3": "phone",
        "4": "company",
        "5": "job_title",
    }
    assert guess_mapping(
        ["First Name", "Last name", "E-mail", "Phone number", "Entreprise", "Job Title"]
    ) == {
        "0": "first_name",
        "1": "last_name",
        "2": "email",
        "3": "phone",
        "4": "company",
        "5": "job_title",
    }


def test_two_columns_to_one_field_are_refused() -> None:
    from orderflow.core.errors import ActionError

    with pytest.raises(ActionError) as refused:
        check_mapping({"0": "email", "1": "email"}, 2)
    assert refused.value.code == "duplicate_mapping"
    with pytest.raises(ActionError) as refused:
        check_mapping({"0": "first_name"}, 2)
    assert refused.value.code == "missing_contact_column"
    assert check_mapping({"0": "email", "1": ""}, 2) == {"0": "email"}
