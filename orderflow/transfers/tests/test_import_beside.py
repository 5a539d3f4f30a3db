"""On PostgreSQL the import task saves beside its reading: on a thread of its own, with its own connection
and transaction, while the task reads and checks the next rows. Run here as a worker runs the task, with
no transaction around it (a test's transaction would hide the order from the saving thread's
connection), so each rule of the import is checked again on that path."""

from __future__ import annotations

import pytest
from django.db import connection

from orderflow.core.actors import Actor
from orderflow.core.errors import Conflict
from orderflow.leads.models import Person
from orderflow.orders.models import OrderEvent
from orderflow.transfers.actions import imports
from orderflow.transfers.models import ImportStatus
from orderflow.transfers.tests.test_imports import BAD_ROWS, GOOD, french_csv, refused_rows, upload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the saving thread runs on PostgreSQL only"),
]


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch) -> None:
    """One row per batch: the reading runs ahead of the saving, several batches in flight."""
    monkeypatch.setattr(imports, "BATCH", 1)


@pytest.fixture
def saved_beside(monkeypatch) -> list[str]:
    """The names of the threads each batch was saved on."""
    threads: list[str] = []
    original = imports.Saver.save

    def save(self, batch, checked):
        import threading

        threads.append(threading.current_thread().name)
        return original(self, batch, checked)

    monkeypatch.setattr(imports.Saver, "save", save)
    return threads


def run(record, actor, **options):
    record = imports.start_people_import(record, actor=actor, mapping=record.mapping, **options)
    assert not connection.in_atomic_block  # as in the worker: the task holds no transaction
    imports.run_people_import.call(record.pk)
    record.refresh_from_db()
    return record


def test_valid_file_is_saved_by_the_saving_thread_and_announced_once(order, olivia, saved_beside) -> None:
    rows = GOOD + [[f"P{i}", "N", f"p{i}@example.com", "", "", ""] for i in range(5)]
    record = run(upload(order, Actor.staff(olivia), french_csv(rows)), Actor.staff(olivia))
    assert (record.status, record.created_count, record.failed_count) == (ImportStatus.DONE, 7, 0)
    assert Person.objects.filter(order=order).count() == 7
    assert set(saved_beside) == {f"import-{record.pk}"}
    added = OrderEvent.objects.filter(order=order, type="people_added")
    assert [(event.data or {}).get("created") for event in added] == [7]


def test_all_or_nothing_undoes_the_batches_saved_before_a_refused_row(order, olivia, saved_beside) -> None:
    record = run(upload(order, Actor.staff(olivia), french_csv(GOOD + BAD_ROWS)), Actor.staff(olivia))
    assert (record.status, record.created_count, record.failed_count) == (ImportStatus.FAILED, 0, 2)
    assert saved_beside  # the good rows were saved, then undone
    assert Person.objects.filter(order=order).count() == 0
    assert [row[-2] for row in refused_rows(record)[1:]] == ["4", "5"]
    assert not OrderEvent.objects.filter(order=order, type="people_added").exists()


def test_valid_rows_only_keeps_them(order, olivia) -> None:
    record = upload(order, Actor.staff(olivia), french_csv(GOOD + BAD_ROWS))
    record = run(record, Actor.staff(olivia), valid_only=True)
    assert (record.status, record.created_count, record.failed_count) == (ImportStatus.DONE, 2, 2)
    assert Person.objects.filter(order=order).count() == 2


def test_an_error_of_the_saving_thread_fails_the_import_and_saves_nothing(order, olivia, monkeypatch) -> None:
    original = imports.save_people
    calls = []

    def save_people(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Conflict("conflict", "Someone saved the same people at the same time. Try again.")
        return original(*args, **kwargs)

    monkeypatch.setattr(imports, "save_people", save_people)
    rows = GOOD + [[f"P{i}", "N", f"p{i}@example.com", "", "", ""] for i in range(5)]
    record = run(upload(order, Actor.staff(olivia), french_csv(rows)), Actor.staff(olivia))
    assert record.status == ImportStatus.FAILED
    assert [error["code"] for error in record.errors] == ["conflict"]
    assert Person.objects.filter(order=order).count() == 0


def test_rows_repeating_earlier_batches_update_those_people(order, olivia) -> None:
    rows = [
        GOOD[0],
        ["Élodie", "Tremblay", "elodie@example.com", "", "", ""],
        ["", "", "ELODIE@example.com", "514 555-0199", "Café Métro", ""],
        ["", "", "", "(514) 555-0199", "", "Directrice"],
    ]
    record = run(upload(order, Actor.staff(olivia), french_csv(rows)), Actor.staff(olivia))
    assert (record.status, record.created_count, record.updated_count) == (ImportStatus.DONE, 1, 2)
    elodie = Person.objects.get(order=order)
    assert (elodie.phone_normalised, elodie.job_title) == ("+15145550199", "Directrice")


def test_an_order_with_people_already_matches_them(order, olivia) -> None:
    first = run(upload(order, Actor.staff(olivia), french_csv(GOOD)), Actor.staff(olivia))
    assert first.created_count == 2
    rows = [GOOD[0], ["", "", "BENOIT@example.com", "", "", "Président"]]
    record = run(upload(order, Actor.staff(olivia), french_csv(rows)), Actor.staff(olivia))
    assert (record.created_count, record.updated_count) == (0, 1)
    assert Person.objects.get(order=order, email_normalised="benoit@example.com").job_title == "Président"
