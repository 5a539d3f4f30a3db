"""Importing people from files: upload, mapping, test, all-or-nothing or valid rows only, the refused
rows file, remembered mappings, and who may import into which order."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from openpyxl import Workbook

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.leads.models import Person
from orderflow.transfers.actions import imports
from orderflow.transfers.actions.imports import upload_people_file
from orderflow.transfers.models import ImportStatus, PeopleImport

HERE = Path(__file__).parent / "files"
GOOD = [
    ["Prénom", "Nom", "Courriel", "Téléphone", "Société", "Poste"],
    ["Élodie", "Tremblay", "elodie@example.com", "514 555-0199", "Café Métro", '=HYPERLINK("x")'],
    ["Benoît", "Côté", "benoit@example.com", "", "Œuvres & fils", "Chargé de projet"],
]
BAD_ROWS = [
    ["Sans", "Contact", "", "", "", ""],
    ["Mauvais", "Courriel", "pas-un-courriel", "", "", ""],
]


def french_csv(rows: list[list[str]]) -> io.BytesIO:
    return io.BytesIO(("\r\n".join(";".join(row) for row in rows) + "\r\n").encode("cp1252"))


def upload(
    order, actor, content: io.BytesIO, *, kind: str = "lead", name: str = "people.csv"
) -> PeopleImport:
    return upload_people_file(order, actor=actor, kind=kind, file_name=name, file=content)


@pytest.fixture(autouse=True)
def _run_tasks_on_commit(django_capture_on_commit_callbacks, monkeypatch) -> None:
    """The import task is queued on commit; run it when the action returns, as a worker would."""
    original = imports.start_people_import

    def start(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(*args, **kwargs)

    monkeypatch.setattr(imports, "start_people_import", start)


def start_people_import(*args, **kwargs) -> PeopleImport:
    return imports.start_people_import(*args, **kwargs)


def refused_rows(record: PeopleImport) -> list[list[str]]:
    with default_storage.open(record.refused_file, "rb") as stream:
        return list(csv.reader(io.StringIO(stream.read().decode("utf-8-sig")), delimiter=";"))


def test_french_csv_is_previewed_with_a_guessed_mapping(order, olivia) -> None:
    record = upload(order, Actor.staff(olivia), french_csv(GOOD + BAD_ROWS))
    assert record.status == ImportStatus.UPLOADED
    assert record.file_format == "csv"
    assert record.delimiter == ";"
    assert record.encoding == "cp1252"
    assert record.headers == GOOD[0]
    assert record.preview[0][0] == "Élodie"
    assert record.mapping == {
        "0": "first_name",
        "1": "last_name",
        "2": "email",
        "3": "phone",
        "4": "company",
        "5": "job_title",
    }


def test_a_file_with_a_bad_row_changes_nothing_by_default(order, olivia) -> None:
    record = upload(order, Actor.staff(olivia), french_csv(GOOD + BAD_ROWS))
    record = start_people_import(record, actor=Actor.staff(olivia), mapping=record.mapping)
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED
    assert (record.created_count, record.failed_count) == (0, 2)
    assert Person.objects.filter(order=order).count() == 0
    assert [error["code"] for error in record.errors] == ["email_or_phone_required", "invalid_email"]
    rows = refused_rows(record)
    assert rows[0][-2:] == ["Row", "Reason"]
    assert [row[-2] for row in rows[1:]] == ["4", "5"]


def test_test_run_validates_without_saving_then_the_valid_rows_are_imported(order, olivia) -> None:
    staff = Actor.staff(olivia)
    record = upload(order, staff, french_csv(GOOD + BAD_ROWS))
    record = start_people_import(record, actor=staff, mapping=record.mapping, test_only=True)
    record.refresh_from_db()
    assert record.status == ImportStatus.TESTED
    assert (record.processed_rows, record.failed_count) == (4, 2)
    assert Person.objects.filter(order=order).count() == 0
    # When the user imports the valid rows only
    record = start_people_import(record, actor=staff, mapping=record.mapping, valid_only=True)
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE
    assert (record.created_count, record.updated_count, record.failed_count) == (2, 0, 2)
    elodie = Person.objects.get(order=order, email_normalised="elodie@example.com")
    assert (elodie.kind, elodie.company, elodie.phone_normalised) == ("lead", "Café Métro", "+15145550199")
    assert record.stored_file == ""  # the upload is not kept


def test_a_second_import_updates_the_same_people(order, olivia) -> None:
    staff = Actor.staff(olivia)
    for title in ("Directrice", "Présidente"):
        rows = [GOOD[0], ["Élodie", "Tremblay", "ELODIE@example.com", "", "Café Métro", title]]
        record = upload(order, staff, french_csv(rows))
        record = start_people_import(record, actor=staff, mapping=record.mapping)
        record.refresh_from_db()
    assert (record.created_count, record.updated_count) == (0, 1)
    assert Person.objects.get(order=order).job_title == "Présidente"


def test_the_mapping_is_remembered_per_person_and_headers(order, olivia, sam) -> None:
    staff = Actor.staff(olivia)
    rows = [["col a", "col b"], ["x@example.com", "Ann"]]
    record = upload(order, staff, french_csv(rows))
    assert record.mapping == {}
    start_people_import(record, actor=staff, mapping={"0": "email", "1": "first_name"}, test_only=True)
    again = upload(order, staff, french_csv(rows))
    assert again.mapping == {"0": "email", "1": "first_name"}
    assert upload(order, Actor.staff(sam), french_csv(rows)).mapping == {}


def test_two_columns_mapped_to_one_field_are_refused(order, olivia) -> None:
    record = upload(order, Actor.staff(olivia), french_csv(GOOD))
    with pytest.raises(ActionError) as refused:
        start_people_import(record, actor=Actor.staff(olivia), mapping={"0": "email", "2": "email"})
    assert refused.value.code == "duplicate_mapping"
    record.refresh_from_db()
    assert record.status == ImportStatus.UPLOADED


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        ("Prénom;Courriel\r\n".encode("cp1252"), "no_rows"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300, "not_a_spreadsheet"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(order, olivia, content: bytes, code: str) -> None:
    with pytest.raises(ActionError) as refused:
        upload(order, Actor.staff(olivia), io.BytesIO(content), name="people.xlsx")
    assert refused.value.code == code
    assert PeopleImport.objects.count() == 0


def test_xlsx_and_xls_import(order, olivia) -> None:
    staff = Actor.staff(olivia)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in GOOD:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    record = upload(order, staff, buffer, name="people.xlsx")
    record = start_people_import(record, actor=staff, mapping=record.mapping)
    record.refresh_from_db()
    assert (record.file_format, record.status, record.created_count) == ("xlsx", ImportStatus.DONE, 2)
    record = upload(
        order, staff, io.BytesIO((HERE / "people.xls").read_bytes()), kind="participant", name="p.xls"
    )
    record = start_people_import(record, actor=staff, mapping=record.mapping, valid_only=True)
    record.refresh_from_db()
    assert (record.file_format, record.created_count, record.failed_count) == ("xls", 3, 1)
    assert (
        Person.objects.get(
            order=order, kind="participant", email_normalised="num@example.com"
        ).phone_normalised
        == "+15145550123"
    )


def test_utf16_tab_text_import(order, olivia) -> None:
    content = io.BytesIO("\r\n".join("\t".join(row) for row in GOOD).encode("utf-16"))
    record = upload(order, Actor.staff(olivia), content, name="people.txt")
    record = start_people_import(record, actor=Actor.staff(olivia), mapping=record.mapping)
    record.refresh_from_db()
    assert (record.file_format, record.status, record.created_count) == ("txt", ImportStatus.DONE, 2)


def test_another_sellers_order_is_refused(rival_order, olivia) -> None:
    with pytest.raises(ActionError) as refused:
        upload(rival_order, Actor.staff(olivia), french_csv(GOOD))
    assert refused.value.code == "forbidden"


def test_partners_import_participants_of_their_orders_only(order, alice, rival_order) -> None:
    contact = Actor.customer(alice)
    record = upload(order, contact, french_csv(GOOD), kind="participant")
    start_people_import(record, actor=contact, mapping=record.mapping)
    assert Person.objects.filter(order=order, kind="participant").count() == 2
    with pytest.raises(ActionError) as refused:
        upload(order, contact, french_csv(GOOD), kind="lead")
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionError):
        upload(rival_order, contact, french_csv(GOOD), kind="participant")


def test_refused_rows_file_defuses_formulas(order, olivia) -> None:
    rows = [GOOD[0], ["=cmd|' /C calc'!A0", "X", "bad", "", "", ""]]
    record = upload(order, Actor.staff(olivia), french_csv(rows))
    record = start_people_import(record, actor=Actor.staff(olivia), mapping=record.mapping)
    record.refresh_from_db()
    assert refused_rows(record)[1][0].startswith("'=")


def test_the_demo_sample_file_imports_five_and_refuses_three(order, olivia) -> None:
    sample = Path(__file__).resolve().parents[2] / "demo" / "leads-sample.csv"
    staff = Actor.staff(olivia)
    record = upload(order, staff, io.BytesIO(sample.read_bytes()))
    assert record.mapping == {
        "0": "first_name",
        "1": "last_name",
        "2": "email",
        "3": "phone",
        "4": "company",
        "5": "job_title",
        "6": "notes",
    }
    record = start_people_import(record, actor=staff, mapping=record.mapping, valid_only=True)
    record.refresh_from_db()
    assert (record.created_count, record.failed_count) == (5, 3)
    assert [error["code"] for error in record.errors] == [
        "email_or_phone_required",
        "invalid_email",
        "invalid_phone",
    ]


def test_a_finished_import_is_logged_and_sent_to_webhooks(order, olivia, acme) -> None:
    from orderflow.integrations.actions import create_webhook_endpoint
    from orderflow.notifications.models import Notification
    from orderflow.orders.models import OrderEvent

    create_webhook_endpoint(
        acme,
        url="https://hooks.example.com/leads",
        event_types=["import.finished"],
        actor=Actor.staff(olivia),
    )
    record = upload(order, Actor.staff(olivia), french_csv(GOOD + BAD_ROWS))
    record = start_people_import(record, actor=Actor.staff(olivia), mapping=record.mapping, valid_only=True)
    event = OrderEvent.objects.get(order=order, type="import_finished")
    assert (event.data or {})["created"] == 2
    sent = Notification.objects.get(webhook__isnull=False, event=event)
    assert (sent.payload or {})["type"] == "import.finished"


def test_an_import_in_many_batches_is_announced_once(order, olivia, monkeypatch) -> None:
    from orderflow.orders.models import OrderEvent

    monkeypatch.setattr(imports, "BATCH", 1)
    record = upload(order, Actor.staff(olivia), french_csv(GOOD))
    start_people_import(record, actor=Actor.staff(olivia), mapping=record.mapping)
    added = OrderEvent.objects.filter(order=order, type="people_added")
    assert [(event.data or {}).get("created") for event in added] == [2]


def test_nothing_is_announced_when_all_or_nothing_refuses(order, olivia) -> None:
    from orderflow.orders.models import OrderEvent

    record = upload(order, Actor.staff(olivia), french_csv(GOOD + BAD_ROWS))
    start_people_import(record, actor=Actor.staff(olivia), mapping=record.mapping)
    assert not OrderEvent.objects.filter(order=order, type="people_added").exists()


def test_a_row_repeating_an_earlier_batch_updates_that_person(order, olivia, monkeypatch) -> None:
    """The order had no leads: a later batch matches only what the earlier batches saved (looked up
    for those keys alone), here the same person twice over, then by phone."""
    monkeypatch.setattr(imports, "BATCH", 1)
    rows = [
        GOOD[0],
        ["Élodie", "Tremblay", "elodie@example.com", "", "", ""],
        ["Benoît", "Côté", "benoit@example.com", "", "", ""],
        ["", "", "ELODIE@example.com", "514 555-0199", "Café Métro", ""],
        ["", "", "", "(514) 555-0199", "", "Directrice"],
    ]
    record = upload(order, Actor.staff(olivia), french_csv(rows))
    record = start_people_import(record, actor=Actor.staff(olivia), mapping=record.mapping)
    record.refresh_from_db()
    assert (record.status, record.created_count, record.updated_count) == (ImportStatus.DONE, 2, 2)
    elodie = Person.objects.get(order=order, email_normalised="elodie@example.com")
    assert (elodie.first_name, elodie.phone_normalised, elodie.job_title) == (
        "Élodie",
        "+15145550199",
        "Directrice",
    )
