"""The workspace's import and export of an order's participants and leads, and My downloads. Every
change goes through `transfers.actions`; these views parse, call and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.orders.models import Order
from orderflow.transfers import selectors
from orderflow.transfers.actions import exports, imports
from orderflow.transfers.models import PeopleImport
from orderflow.transfers.writers import CONTENT_TYPES
from orderflow.web.access import order_or_404, render_seller, seller_view
from orderflow.web.forms import error_summary
from orderflow.web.transfer_forms import (
    MappingForm,
    ParticipantsExportForm,
    PauseForm,
    PeopleFileForm,
    ScheduleForm,
)


def _import_or_404(membership: Membership, number: int, import_id: int) -> PeopleImport:
    record = selectors.import_of(order_or_404(membership, number), import_id)
    if record is None:
        raise Http404("No such import")
    return record


def _page(
    request: HttpRequest,
    membership: Membership,
    order: Order,
    *,
    file_form: PeopleFileForm | None = None,
    schedule_form: ScheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "order": order,
        "file_form": file_form or PeopleFileForm(),
        "schedule_form": schedule_form or ScheduleForm(membership=membership),
        "schedules": selectors.schedules_of(order),
        "imports": order.people_imports.all()[:10],
    }
    return render_seller(request, membership, "web/people_transfer.html", context, status=status)


@seller_view
@require_GET
def people_transfer(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    return _page(request, membership, order_or_404(membership, number))


@seller_view
@require_POST
def people_import_upload(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = order_or_404(membership, number)
    form = PeopleFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Nothing was imported. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, order, file_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        record = imports.upload_people_file(
            order,
            actor=Actor.staff(membership),
            kind=form.cleaned_data["kind"],
            file_name=upload.name or "",
            file=upload,
        )
    except ActionError as error:
        form.add_error("file", error.message)
        messages.error(request, _("Nothing was imported. %(problem)s") % {"problem": error.message})
        return _page(request, membership, order, file_form=form, status=error.status)
    return redirect("people_import", seller_slug=membership.seller.slug, number=number, import_id=record.pk)


@seller_view
def people_import(request: HttpRequest, membership: Membership, number: int, import_id: int) -> HttpResponse:
    """The preview and mapping (GET; POST starts a test or the import), then progress, then the outcome."""
    record = _import_or_404(membership, number, import_id)
    form = MappingForm(request.POST or None, headers=record.headers, mapping=record.mapping)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            mode = form.cleaned_data["mode"]
            try:
                imports.start_people_import(
                    record,
                    actor=Actor.staff(membership),
                    mapping=form.mapping(),
                    test_only=mode == "test",
                    valid_only=mode == "valid_only",
                )
                return redirect(
                    "people_import", seller_slug=membership.seller.slug, number=number, import_id=record.pk
                )
            except ActionError as error:
                form.add_error(None, error.message)
                status = error.status
        else:
            status = 400
    samples = [
        [row[index] for row in record.preview if index < len(row) and row[index]][:3]
        for index in range(len(record.headers))
    ]
    context = {
        "order": record.order,
        "record": record,
        "form": form,
        "columns": list(zip(form.column_fields(), samples, strict=True)),
    }
    return render_seller(request, membership, "web/people_import.html", context, status=status)


@seller_view
@require_GET
def people_import_progress(
    request: HttpRequest, membership: Membership, number: int, import_id: int
) -> JsonResponse:
    record = _import_or_404(membership, number, import_id)
    return JsonResponse(
        {
            "status": record.status,
            "processed": record.processed_rows,
            "total": record.total_rows,
            "percent": record.progress_percent,
            "finished": record.finished,
        }
    )


@seller_view
@require_GET
def people_import_refused(
    request: HttpRequest, membership: Membership, number: int, import_id: int
) -> FileResponse:
    record = _import_or_404(membership, number, import_id)
    if not record.refused_file:
        raise Http404("No refused rows")
    return _file(record.refused_file, f"refused-rows-{record.pk}.csv", CONTENT_TYPES["csv"])


def _file(stored: str, name: str, content_type: str) -> FileResponse:
    response = FileResponse(default_storage.open(stored, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@seller_view
@require_GET
def people_export(
    request: HttpRequest, membership: Membership, number: int, kind: str, file_format: str
) -> HttpResponseBase:
    order = order_or_404(membership, number)
    try:
        name, out = exports.export_people_now(
            order,
            actor=Actor.staff(membership),
            kind=kind,
            file_format=file_format,
            language=membership.reading_language,
        )
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("people_transfer", seller_slug=membership.seller.slug, number=number)
    response = FileResponse(out, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


@seller_view
@require_POST
def people_schedule_add(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    order = order_or_404(membership, number)
    form = ScheduleForm(request.POST, membership=membership)
    if form.is_valid():
        data = form.cleaned_data
        try:
            exports.schedule_export(
                order,
                actor=Actor.staff(membership),
                kind=data["kind"],
                frequency=data["frequency"],
                file_format=data["file_format"],
                recipients=list(data["recipients"]),
            )
        except ActionError as error:
            form.add_error(None, error.message)
    if form.errors:
        messages.error(
            request, _("The schedule was not saved. %(problem)s") % {"problem": error_summary(form)}
        )
        return _page(request, membership, order, schedule_form=form, status=400)
    messages.success(request, _("Export scheduled."))
    return redirect("people_transfer", seller_slug=membership.seller.slug, number=number)


@seller_view
@require_POST
def people_schedule_change(
    request: HttpRequest, membership: Membership, number: int, schedule_id: int
) -> HttpResponse:
    order = order_or_404(membership, number)
    schedule = selectors.schedule_of(order, schedule_id)
    if schedule is None:
        raise Http404("No such schedule")
    actor = Actor.staff(membership)
    if request.POST.get("remove"):
        exports.remove_schedule(schedule, actor=actor)
        messages.success(request, _("Schedule removed."))
    else:
        form = PauseForm(request.POST)
        form.is_valid()
        exports.set_schedule_paused(schedule, actor=actor, paused=bool(form.cleaned_data.get("paused")))
        messages.success(request, _("Schedule paused.") if schedule.paused else _("Schedule resumed."))
    return redirect("people_transfer", seller_slug=membership.seller.slug, number=number)


@seller_view
@require_POST
def participants_export(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The dashboard's "Export participants" on the ticked orders: a file in My downloads."""
    form = ParticipantsExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was exported. %(problem)s") % {"problem": error_summary(form)})
        return redirect("dashboard", seller_slug=membership.seller.slug)
    data = form.cleaned_data
    try:
        exports.request_people_export(
            membership.seller,
            actor=Actor.staff(membership),
            order_numbers=data["orders"],
            kind="participant",
            since=data["since"],
            file_format=data["file_format"] or "xlsx",
        )
    except ActionError as error:
        messages.error(request, _("Nothing was exported. %(problem)s") % {"problem": error.message})
        return redirect("dashboard", seller_slug=membership.seller.slug)
    messages.success(
        request, _("The export is being prepared; it will be in My downloads, and you will get an email.")
    )
    return redirect("downloads", seller_slug=membership.seller.slug)


@seller_view
@require_GET
def downloads(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render_seller(
        request, membership, "web/downloads.html", {"downloads": selectors.downloads_of(membership)}
    )


@seller_view
@require_GET
def download_file(request: HttpRequest, membership: Membership, download_id: int) -> FileResponse:
    download = selectors.download_of(membership, download_id)
    if download is None or not download.stored_file:
        raise Http404("No such download")
    return _file(download.stored_file, download.file_name, CONTENT_TYPES[download.file_format])


@seller_view
@require_POST
def download_remove(request: HttpRequest, membership: Membership, download_id: int) -> HttpResponse:
    download = selectors.download_of(membership, download_id)
    if download is None:
        raise Http404("No such download")
    exports.remove_download(download, actor=Actor.staff(membership))
    messages.success(request, _("Download removed."))
    return redirect("downloads", seller_slug=membership.seller.slug)
