"""Imports of leads and participants into an order, and exports into the token member's downloads.

`POST /orders/{number}/leads/imports` takes the file (multipart), judges it by content, and starts the
import with the mapping sent (a JSON object, column index -> field) or the one guessed from the
headers; `GET` on the import tells its status, progress and counts; its refused rows are a CSV file.
`/exports` queues a file of people in My downloads and lists them. Another seller's order is a 404."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from orderflow.api.auth import ApiContext, context_of
from orderflow.api.errors import ApiError, invalid, not_found, reads, writes
from orderflow.api.inputs import OrderNumber, RowId, text
from orderflow.orders.models import Order
from orderflow.transfers import selectors
from orderflow.transfers.actions import exports, imports
from orderflow.transfers.models import Download, PeopleImport
from orderflow.transfers.writers import CONTENT_TYPES

router = Router(tags=["imports and exports"])

Kind = Literal["lead", "participant"]
Mode = Literal["test", "all", "valid_only"]
# A JSON object of column numbers (as strings) to fields, e.g. {"0": "email", "2": "first_name"}.
MappingText = Annotated[str, text(4000)]


class ImportError_(Schema):
    row: int | None
    column: str | None
    code: str
    message: str


class ImportOut(Schema):
    id: int
    order_number: int
    kind: str
    file_name: str
    file_format: str
    status: str
    headers: list[str]
    mapping: dict[str, str]
    total_rows: int
    processed_rows: int
    progress_percent: int
    created: int
    updated: int
    skipped: int
    failed: int
    errors: list[ImportError_]
    refused_rows_url: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @classmethod
    def of(cls, record: PeopleImport, order: Order) -> ImportOut:
        refused = (
            f"/api/v1/orders/{order.number}/leads/imports/{record.pk}/refused"
            if record.refused_file
            else None
        )
        return cls(
            id=record.pk,
            order_number=order.number,
            kind=record.kind,
            file_name=record.file_name,
            file_format=record.file_format,
            status=record.status,
            headers=record.headers,
            mapping=record.mapping,
            total_rows=record.total_rows,
            processed_rows=record.processed_rows,
            progress_percent=record.progress_percent,
            created=record.created_count,
            updated=record.updated_count,
            skipped=record.skipped_count,
            failed=record.failed_count,
            errors=[ImportError_(**error) for error in record.errors],
            refused_rows_url=refused,
            created_at=record.created_at,
            finished_at=record.finished_at,
        )


def _order(context: ApiContext, number: int) -> Order:
    order = Order.objects.filter(seller=context.seller, number=number).select_related("seller").first()
    if order is None:
        raise not_found(pgettext("no such", "order"))
    return order


def _mapping(raw: str | None) -> dict[str, str] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise invalid("mapping", _("The mapping must be a JSON object of column numbers to fields."))
    return value


@router.post(
    "/orders/{number}/leads/imports",
    response=writes({202: ImportOut}, 404),
    operation_id="start_people_import",
)
def start_import(
    request: HttpRequest,
    number: OrderNumber,
    file: File[UploadedFile],
    kind: Form[Kind] = "lead",
    mode: Form[Mode] = "all",
    mapping: Form[MappingText | None] = None,
) -> Status:
    """Upload a CSV, TXT, XLS or XLSX file and start its import (202); poll the import for its outcome.
    `mode`: `test` validates only, `all` saves only if every row is valid, `valid_only` saves the valid
    rows. 400: too_large, not_a_spreadsheet, zip_bomb, empty_file, no_rows, duplicate_mapping,
    missing_contact_column."""
    context = context_of(request)
    order = _order(context, number)
    chosen = _mapping(mapping)
    record = imports.upload_people_file(
        order, actor=context.actor, kind=kind, file_name=file.name or "", file=file
    )
    try:
        record = imports.start_people_import(
            record,
            actor=context.actor,
            mapping=chosen if chosen is not None else record.mapping,
            test_only=mode == "test",
            valid_only=mode == "valid_only",
        )
    except Exception:
        default_storage.delete(record.stored_file)
        record.delete()
        raise
    record.refresh_from_db()
    return Status(202, ImportOut.of(record, order))


@router.get(
    "/orders/{number}/leads/imports/{import_id}",
    response=reads({200: ImportOut}, 404, 422),
    operation_id="get_people_import",
)
def get_import(request: HttpRequest, number: OrderNumber, import_id: int) -> ImportOut:
    order = _order(context_of(request), number)
    record = selectors.import_of(order, import_id)
    if record is None:
        raise not_found(_("import"))
    return ImportOut.of(record, order)


@router.get(
    "/orders/{number}/leads/imports/{import_id}/refused",
    response=reads({200: None}, 404, 422),
    operation_id="get_people_import_refused_rows",
)
def get_refused_rows(request: HttpRequest, number: OrderNumber, import_id: int) -> FileResponse:
    """The refused rows as CSV (UTF-8), their columns as in the file, then the row number and the reason."""
    record = selectors.import_of(_order(context_of(request), number), import_id)
    if record is None or not record.refused_file:
        raise not_found(_("file of refused rows"))
    return _file(record.refused_file, f"refused-rows-{record.pk}.csv", CONTENT_TYPES["csv"])


def _file(stored: str, name: str, content_type: str) -> FileResponse:
    response = FileResponse(default_storage.open(stored, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ExportIn(Schema):
    orders: Annotated[list[int], Field(min_length=1, max_length=exports.MAX_ORDERS)]
    kind: Kind = "participant"
    since: dt.date | None = None
    file_format: Literal["csv", "xlsx"] = "xlsx"


class DownloadOut(Schema):
    id: int
    title: str
    file_name: str
    file_format: str
    status: str
    rows: int
    size: int
    created_at: dt.datetime
    expires_at: dt.datetime
    file_url: str | None

    @classmethod
    def of(cls, download: Download) -> DownloadOut:
        return cls(
            id=download.pk,
            title=download.title,
            file_name=download.file_name,
            file_format=download.file_format,
            status=download.status,
            rows=download.row_count,
            size=download.size,
            created_at=download.created_at,
            expires_at=download.expires_at,
            file_url=f"/api/v1/exports/{download.pk}/file" if download.status == "ready" else None,
        )


def _member(context: ApiContext):  # type: ignore[no-untyped-def]
    member = context.actor.membership
    if member is None:
        raise ApiError(403, "forbidden", _("This token acts for nobody."))
    return member


@router.post("/exports", response=writes({202: DownloadOut}), operation_id="create_export")
def create_export(request: HttpRequest, payload: ExportIn) -> Status:
    """Queue a file of the people of these orders (only those added on or after `since`) in the token
    member's downloads, kept 7 days; they get an email when it is ready. 400 unknown_order, no_orders."""
    context = context_of(request)
    download = exports.request_people_export(
        context.seller,
        actor=context.actor,
        order_numbers=payload.orders,
        kind=payload.kind,
        since=payload.since,
        file_format=payload.file_format,
    )
    download.refresh_from_db()
    return Status(202, DownloadOut.of(download))


@router.get("/exports", response=reads({200: list[DownloadOut]}), operation_id="list_exports")
def list_exports(request: HttpRequest) -> list[DownloadOut]:
    """The token member's downloads that have not expired, newest first."""
    return [
        DownloadOut.of(download) for download in selectors.downloads_of(_member(context_of(request)))[:100]
    ]


@router.get("/exports/{download_id}", response=reads({200: DownloadOut}, 404, 422), operation_id="get_export")
def get_export(request: HttpRequest, download_id: RowId) -> DownloadOut:
    download = selectors.download_of(_member(context_of(request)), download_id)
    if download is None:
        raise not_found(_("export"))
    return DownloadOut.of(download)


@router.get(
    "/exports/{download_id}/file", response=reads({200: None}, 404, 422), operation_id="get_export_file"
)
def get_export_file(request: HttpRequest, download_id: RowId) -> FileResponse:
    download = selectors.download_of(_member(context_of(request)), download_id)
    if download is None or not download.stored_file:
        raise not_found(_("export"))
    return _file(download.stored_file, download.file_name, CONTENT_TYPES[download.file_format])
