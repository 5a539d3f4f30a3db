"""Importing participants or leads into an order from a file, with a column mapping.

1. `upload_people_file` judges the file at once (who, size, what the content is), keeps it in the
   default storage and reads its header and first rows; the mapping is guessed from the headers, or is
   the one this person chose last time for the same headers.
2. `start_people_import` checks the mapping (one column per field, an email or phone column) and queues
   the task; "test" only validates, "import" saves.
3. `run_people_import` (the task) reads the file once, row by row, checks each batch of rows with the
   leads' rules (`leads.actions.check_people`) and hands the valid ones to `leads.actions.save_people`,
   the one bulk upsert of people; the refused rows are written to a CSV file with a reason column. All
   or nothing by default: the batches are saved in one transaction, undone if any row is refused (the
   rows after the first refused one are only checked, to report them all); with `valid_only` the valid
   rows are saved anyway. On PostgreSQL the saving runs on a thread of its own (`BesideSaver`), so that
   the database writes one batch while the task reads and checks the next.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import queue
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict
from orderflow.leads.actions import Checked, announce_saved, check_people, save_people
from orderflow.leads.actions.people import KnownPeople, Result
from orderflow.leads.models import Person
from orderflow.leads.rules import problem_message, region_for
from orderflow.notifications.emit import notify
from orderflow.orders.actions import log_event
from orderflow.orders.models import EventType, Order
from orderflow.transfers.access import check_may_transfer, who_key
from orderflow.transfers.files import SAMPLE_BYTES, FileInfo, FileRefused, inspect_file, iter_rows
from orderflow.transfers.formulas import defuse
from orderflow.transfers.mapping import check_mapping, guess_mapping, header_key
from orderflow.transfers.models import ImportStatus, PeopleImport, SavedMapping

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 5
# Rows per call of save_people (which validates them) and between two progress reports.
BATCH = 4000
ANALYZE_AFTER = 8000
ERRORS_KEPT = 50


# ----------------------------------------------------------------------------------------------
# Upload


def upload_people_file(
    order: Order,
    *,
    actor: Actor,
    kind: str,
    file_name: str,
    file: IO[bytes],
    limits: dict[str, int] | None = None,
) -> PeopleImport:
    """Keep the file and show its first rows for the mapping. Refused at once, nothing kept: someone
    who may not import into this order, an empty or header-only file, one over its type's limit, and
    one whose content is not a spreadsheet whatever its name says."""
    check_may_transfer(actor, order, kind)
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(0)
    head = file.read(SAMPLE_BYTES)
    file.seek(0)
    info = inspect_file(head, size, limits=limits, whole=file)
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}.{info.file_format}", File(file))
    try:
        headers, preview, total = _first_rows(stored, info)
    except ActionError:
        default_storage.delete(stored)
        raise
    saved = SavedMapping.objects.filter(
        seller_id=order.seller_id, who=who_key(actor), header_key=header_key(headers)
    ).first()
    mapping = saved.mapping if saved is not None else guess_mapping(headers)
    return PeopleImport.objects.create(
        seller_id=order.seller_id,
        order=order,
        kind=kind,
        uploaded_by=actor.membership,
        uploaded_by_contact=actor.contact,
        file_name=file_name[:255],
        file_format=info.file_format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        stored_file=stored,
        headers=headers,
        preview=preview,
        mapping=mapping,
        total_rows=total,
    )


def _info(record: PeopleImport) -> FileInfo:
    return FileInfo(record.file_format, record.encoding, record.delimiter)


def _first_rows(stored: str, info: FileInfo) -> tuple[list[str], list[list[str]], int]:
    """The header, the first rows after it, and an estimate of the number of rows (for the progress
    bar: lines of a text file, the height of a sheet)."""
    with default_storage.open(stored, "rb") as stream:
        rows = _data_rows(stream, info)
        header = next(rows, None)
        if header is None or not any(header[1]):
            raise FileRefused(
                "empty_file",
                _("The file is empty: its first row must name the columns."),
                details={"field": "file"},
            )
        preview = []
        for _number, cells in rows:
            preview.append(cells)
            if len(preview) == PREVIEW_ROWS:
                break
        if not preview:
            raise FileRefused(
                "no_rows", _("The file has column names but no rows."), details={"field": "file"}
            )
    headers = header[1]
    width = max(len(headers), *(len(cells) for cells in preview))
    headers = headers + [""] * (width - len(headers))
    return headers, preview, _estimate_rows(stored, info)


def _estimate_rows(stored: str, info: FileInfo) -> int:
    with default_storage.open(stored, "rb") as stream:
        if info.file_format in ("csv", "txt"):
            newline = "\n".encode(info.encoding.replace("-sig", "")) if info.encoding != "utf-16" else None
            lines = 0
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                lines += chunk.count(newline) if newline else chunk.count(b"\n\x00") + chunk.count(b"\x00\n")
            return max(lines - 1, 0) or 1
        return max(sum(1 for _row in iter_rows(stream, info)) - 1, 1)


def _data_rows(stream: IO[bytes], info: FileInfo) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, cells), blank rows left out."""
    for number, cells in enumerate(iter_rows(stream, info), start=1):
        if any(cells):
            yield number, cells


# ----------------------------------------------------------------------------------------------
# Mapping, then test or import


def start_people_import(
    record: PeopleImport,
    *,
    actor: Actor,
    mapping: dict[str, str],
    valid_only: bool = False,
    test_only: bool = False,
) -> PeopleImport:
    """Check the mapping, remember it for this person and these headers, and queue the task."""
    check_may_transfer(actor, record.order, record.kind)
    clean = check_mapping(mapping, len(record.headers))
    with transaction.atomic():
        locked = PeopleImport.objects.select_for_update().get(pk=record.pk)
        if locked.status not in (ImportStatus.UPLOADED, ImportStatus.TESTED):
            raise Conflict("already_started", _("This import has already run; upload the file again."))
        SavedMapping.objects.update_or_create(
            seller_id=record.seller_id,
            who=who_key(actor),
            header_key=header_key(record.headers),
            defaults={"mapping": clean},
        )
        locked.mapping = clean
        locked.valid_only = valid_only
        locked.test_only = test_only
        locked.status = ImportStatus.QUEUED
        locked.processed_rows = locked.created_count = locked.updated_count = 0
        locked.skipped_count = locked.failed_count = 0
        locked.errors = []
        locked.save()
        transaction.on_commit(lambda: run_people_import.enqueue(locked.pk))
    return locked


@task()
def run_people_import(import_id: int) -> str:
    """Run a queued import once (a second run of the same import does nothing)."""
    claimed = PeopleImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING
    )
    if not claimed:
        return "already run"
    record = PeopleImport.objects.select_related(
        "order", "seller", "uploaded_by__user", "uploaded_by__seller", "uploaded_by_contact"
    ).get(pk=import_id)
    language = record.uploaded_by.reading_language if record.uploaded_by else record.seller.locale
    with translation.override(language):
        try:
            run_import(record)
        except ActionError as error:
            _fail(record, error.code, error.message)
        except Exception:
            _fail(
                record,
                "failed",
                _("The import failed unexpectedly; nothing was saved. Try again or ask for help."),
            )
            raise
    return record.status


def _actor_of(record: PeopleImport) -> Actor:
    if record.uploaded_by is not None:
        return Actor.staff(record.uploaded_by)
    if record.uploaded_by_contact is not None:
        return Actor.customer(record.uploaded_by_contact)
    return Actor.system(_("Import"))


def _fail(record: PeopleImport, code: str, message: str) -> None:
    record.status = ImportStatus.FAILED
    record.errors = [{"row": None, "column": None, "code": code, "message": message}, *record.errors][
        :ERRORS_KEPT
    ]
    record.finished_at = timezone.now()
    with transaction.atomic():
        record.save()
        _log_finished(record)


@dataclass
class Pass:
    """What one reading of the file found."""

    refused: IO[bytes]
    rows: int = 0
    failed: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    first: Result | None = None  # save_people's answer for the first batch: the people the digest names


def run_import(record: PeopleImport) -> None:
    """Read the file once: validate every row, write the refused ones to a file, and save the valid
    ones in batches (see the module's docstring). All or nothing: the batches are saved in one
    transaction, undone at the end if any row was refused; after the first refused row nothing more
    is saved, the rest is only validated (to report every refused row). Caller: the task (or the
    benchmark), with the record RUNNING."""
    actor = _actor_of(record)
    check_may_transfer(actor, record.order, record.kind)
    all_or_nothing = not record.valid_only and not record.test_only
    with _progress_writer(all_or_nothing) as progress, _saver(record, actor, all_or_nothing) as saver:
        outcome = _read_and_save(record, progress, saver)
    if outcome.created or outcome.updated:
        # One activity event and one digest for the whole file, once its saves are committed.
        announce_saved(
            actor,
            record.order,
            record.kind,
            source=_source(record),
            created=outcome.created,
            updated=outcome.updated,
            failed=outcome.failed,
            first=outcome.first,
        )
    _finish(record, outcome)


def _source(record: PeopleImport) -> str:
    return _("Import: %(file)s") % {"file": record.file_name}


Batch = list[tuple[int, dict[str, str], list[str]]]  # (row number, values by field, the row's cells)
Saved = tuple[int, int, list[tuple[int, list[str], str, str, str]]]  # created, updated, refusals


class Saver:
    """Where the reading hands its checked batches: `submit` each, then `end`, which says whether the
    reading refused a row; `saved` are the answers of `save_people` so far, one per batch, in order.
    All or nothing: the saves are one transaction, undone if any row was refused (by the rules or by
    the save)."""

    one_transaction = True  # every batch is saved in the same transaction

    def __init__(self, record: PeopleImport, actor: Actor, all_or_nothing: bool) -> None:
        self.record, self.actor, self.all_or_nothing = record, actor, all_or_nothing
        self.known: KnownPeople | None = None
        self.saved: list[Saved] = []
        self.first: Result | None = None  # the first batch's answer: the people the digest names
        self.analyzed_at = 0
        self.created = 0

    @property
    def refused(self) -> bool:
        """Whether a save refused a row (a conflict between rows) so far."""
        return any(refusals for _created, _updated, refusals in self.saved)

    def save(self, batch: Batch, checked: Checked) -> None:
        """One batch through `save_people` (which takes the rules' verdicts as they are), then ANALYZE
        of the people table whenever the rows this transaction added have doubled."""
        if self.first is None and self.one_transaction:
            self.known = _known_if_none(self.record)
        result = save_people(
            self.actor,
            self.record.order,
            self.record.kind,
            checked,
            source=_source(self.record),
            announce=False,
            known=self.known,
            ids=self.first is None,  # the digest names the first batch's people; the others go unnamed
        )
        if self.first is None:
            self.first = result
        self.created += result.created
        if self.created >= max(2 * self.analyzed_at, ANALYZE_AFTER):
            _analyze_people()
            self.analyzed_at = self.created
        self.saved.append((result.created, result.updated, _refusals(batch, result)))


def _known_if_none(record: PeopleImport) -> KnownPeople | None:
    """Lock the order (as `save_people` does) for the rest of the transaction; if it has no people of
    the import's kind, the only people a batch can match are the earlier batches' (`KnownPeople`)."""
    list(Order.objects.select_for_update().filter(pk=record.order_id).values_list("pk"))
    if Person.objects.filter(order_id=record.order_id, kind=record.kind).exists():
        return None
    return KnownPeople()


class InlineSaver(Saver):
    """Saves each batch as it is submitted, on this thread's connection (in one transaction when all or
    nothing is asked; else each batch in its own)."""

    def __init__(self, record: PeopleImport, actor: Actor, all_or_nothing: bool) -> None:
        super().__init__(record, actor, all_or_nothing)
        self.one_transaction = all_or_nothing

    def submit(self, batch: Batch, checked: Checked) -> None:
        self.save(batch, checked)

    def end(self, reading_refused: bool) -> None:
        if self.all_or_nothing and (reading_refused or self.refused):
            transaction.set_rollback(True)


class BesideSaver(Saver):
    """Saves the batches on a thread of its own, with its own connection and transaction: PostgreSQL
    writes one batch (most of the cost of a row there) while this thread reads and checks the next (most
    of the cost here), on the other core. Two batches wait at most; an error of the saving thread is
    raised here, at the next `submit` or at `end`. Leaving the `with` of `_saver` without `end` (an
    error while reading) undoes every save."""

    ABORT = "abort"

    def __init__(self, record: PeopleImport, actor: Actor, all_or_nothing: bool) -> None:
        super().__init__(record, actor, all_or_nothing)
        self.queue: queue.Queue[tuple[Batch, Checked] | bool | str] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.language = translation.get_language()  # the reader's, for the messages of refusals
        self.thread = threading.Thread(target=self._run, name=f"import-{record.pk}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            with translation.override(self.language), transaction.atomic():
                while not isinstance(item := self.queue.get(), bool | str):
                    self.save(*item)
                # The end (whether the reading refused a row), or an abort.
                if item == self.ABORT or (self.all_or_nothing and (item is True or self.refused)):
                    transaction.set_rollback(True)
        except BaseException as error:  # handed to the reading thread, which raises it
            self.error = error
            while not isinstance(self.queue.get(), bool | str):  # let the reading finish its puts
                pass
        finally:
            connections.close_all()

    def submit(self, batch: Batch, checked: Checked) -> None:
        self._raise()
        self.queue.put((batch, checked))

    def end(self, reading_refused: bool) -> None:
        self.queue.put(reading_refused)
        self.thread.join()
        self._raise()

    def abort(self) -> None:
        if self.thread.is_alive():
            self.queue.put(self.ABORT)
            self.thread.join()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error


@contextmanager
def _saver(record: PeopleImport, actor: Actor, all_or_nothing: bool) -> Iterator[InlineSaver | BesideSaver]:
    """Beside the reading where it pays and is safe: a real import on PostgreSQL from a caller holding no
    transaction (the task; a test's transaction would hide its rows from a second connection). Else
    inline, in one transaction when all or nothing is asked."""
    beside = connection.vendor == "postgresql" and not connection.in_atomic_block and not record.test_only
    if beside:
        saver = BesideSaver(record, actor, all_or_nothing)
        try:
            yield saver
        finally:
            saver.abort()  # after `end`, nothing left to do
        return
    with transaction.atomic(durable=False) if all_or_nothing else _nothing():
        yield InlineSaver(record, actor, all_or_nothing)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _progress_writer(in_transaction: bool) -> Iterator[Callable[[int, int, int], None]]:
    """How the loop reports its progress. Inside the all-or-nothing transaction its own writes stay
    unseen until the end, so on PostgreSQL the progress goes through a second connection; SQLite allows
    one writer at a time, so there the page sees the progress of validation-only runs alone."""
    side = None
    if in_transaction and connection.vendor == "postgresql":
        side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = PeopleImport._meta.db_table

    def report(import_id: int, rows: int, failed: int) -> None:
        if side is not None:
            with side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET processed_rows = %s, failed_count = %s WHERE id = %s",
                    [rows, failed, import_id],
                )
        elif not in_transaction:
            PeopleImport.objects.filter(pk=import_id).update(processed_rows=rows, failed_count=failed)

    try:
        yield report
    finally:
        if side is not None:
            side.close()


def _read_and_save(
    record: PeopleImport, progress: Callable[[int, int, int], None], saver: InlineSaver | BesideSaver
) -> Pass:
    region = region_for(record.seller.currency)
    columns = [(int(column), name) for column, name in record.mapping.items()]
    outcome = Pass(refused=tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+b"))  # noqa: SIM115
    text = io.TextIOWrapper(outcome.refused, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=record.delimiter if record.delimiter in (",", ";") else ",")
    writer.writerow([defuse(header) for header in record.headers] + [_("Row"), _("Reason")])
    saving = not record.test_only

    def refuse(failures: list[tuple[int, list[str], str, str, str]]) -> None:
        for number, cells, code, message, column in failures:
            _refuse_row(outcome, writer, number, cells, record, column, code, message)

    def flush(batch: Batch) -> None:
        """Check the batch's rows here; hand the batch to the saver while rows are still saved: not in
        a test, nor after a refused row when all or nothing is asked (the rest is only checked)."""
        nonlocal saving
        checked = check_people([values for _number, values, _cells in batch], region=region, first_row=0)
        refuse(_refusals(batch, checked))
        saving = saving and (record.valid_only or not (outcome.failed or saver.refused))
        if saving:  # the refused rows are reported already: the save gets the valid ones
            saver.submit(batch, Checked(checked.valid, []))

    batch: Batch = []
    with default_storage.open(record.stored_file, "rb") as stream:
        rows = _data_rows(stream, _info(record))
        next(rows, None)  # the header
        for number, cells in rows:
            outcome.rows += 1
            batch.append((number, {name: (cells[i] if i < len(cells) else "") for i, name in columns}, cells))
            if len(batch) >= BATCH:
                flush(batch)
                batch = []
            if outcome.rows % BATCH == 0:
                progress(record.pk, outcome.rows, outcome.failed)
        if batch:
            flush(batch)
    saver.end(reading_refused=bool(outcome.failed))
    for created, updated, refusals in saver.saved:
        outcome.created += created
        outcome.updated += updated
        refuse(refusals)
    outcome.first = saver.first
    if not record.valid_only and outcome.failed:
        outcome.created = outcome.updated = 0  # undone
    outcome.errors.sort(key=lambda error: error["row"] or 0)
    text.flush()
    text.detach()
    return outcome


def _analyze_people() -> None:
    """Refresh PostgreSQL's statistics of the people table as an import grows it. Without them the
    planner still believes the table as small as before the import, and looks people up by order only
    (filtering every person of the order) instead of by email or phone: each batch then costs as much
    as the people already saved, and a large file takes quadratic time. ANALYZE counts the rows this
    transaction inserted; it runs after 8,000 rows, then each time the count doubles."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Person._meta.db_table)}")


def _refusals(batch: Batch, verdict: Result | Checked) -> list[tuple[int, list[str], str, str, str]]:
    """The rows of the batch the rules or the save refused, as (row, cells, code, message, field)."""
    problems: dict[int, list[tuple[str, str]]] = {}
    for index, field_name, code in verdict.failed:
        problems.setdefault(index, []).append((field_name, code))
    failures = []
    for index, found in sorted(problems.items()):
        number, _values, cells = batch[index]
        message = "; ".join(problem_message(f, c) for f, c in found)
        failures.append((number, cells, found[0][1], message, found[0][0]))
    return failures


def _refuse_row(
    outcome: Pass,
    writer: Any,
    number: int,
    cells: list[str],
    record: PeopleImport,
    field_name: str,
    code: str,
    message: str,
) -> None:
    outcome.failed += 1
    writer.writerow([defuse(cell) for cell in cells] + [str(number), message])
    if len(outcome.errors) < ERRORS_KEPT:
        column = next(
            (record.headers[int(c)] for c, name in record.mapping.items() if name == field_name), field_name
        )
        outcome.errors.append({"row": number, "column": column, "code": code, "message": message})


def _finish(record: PeopleImport, outcome: Pass) -> None:
    if outcome.failed:
        outcome.refused.seek(0)
        name = f"imports/refused-{record.pk}-{uuid.uuid4().hex[:8]}.csv"
        record.refused_file = default_storage.save(name, File(outcome.refused))
    outcome.refused.close()
    saved = outcome.created + outcome.updated
    if record.test_only:
        record.status = ImportStatus.TESTED
    elif outcome.failed and not record.valid_only:
        record.status = ImportStatus.FAILED
    else:
        record.status = ImportStatus.DONE
    record.total_rows = record.processed_rows = outcome.rows
    record.created_count = outcome.created
    record.updated_count = outcome.updated
    record.failed_count = outcome.failed
    record.skipped_count = 0 if record.status != ImportStatus.DONE else outcome.rows - outcome.failed - saved
    record.errors = outcome.errors
    record.finished_at = timezone.now()
    if record.status != ImportStatus.TESTED:
        default_storage.delete(record.stored_file)
        record.stored_file = ""
    with transaction.atomic():
        record.save()
        if record.status != ImportStatus.TESTED:
            _log_finished(record)


def _log_finished(record: PeopleImport) -> None:
    """The import in the order's activity log (staff only) and the `import.finished` webhook."""
    order = record.order
    event = log_event(
        order,
        EventType.IMPORT_FINISHED,
        _actor_of(record),
        data={
            "import": record.pk,
            "kind": record.kind,
            "status": record.status,
            "file_name": record.file_name,
            "rows": record.processed_rows,
            "created": record.created_count,
            "updated": record.updated_count,
            "skipped": record.skipped_count,
            "failed": record.failed_count,
        },
    )
    notify(event, order=order)
