"""A partner (a contact of the order's customer) imports participants from a file into their own order,
reached by its link or signed in: upload, map the columns, test or import, the outcome and the refused
rows. The same transfers actions as the workspace; a contact sees only the imports they made."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.portal.people import participants_url
from orderflow.portal.views import Reached, _page, order_link, signed_in_order
from orderflow.transfers.actions import imports
from orderflow.transfers.models import PeopleImport
from orderflow.web.forms import error_summary
from orderflow.web.transfer_forms import MappingForm, PeopleFileForm


def _base(reached: Reached) -> str:
    return f"{participants_url(reached)}import/"


def _mine(reached: Reached, import_id: int) -> PeopleImport:
    record = PeopleImport.objects.filter(
        pk=import_id, order=reached.order, kind="participant", uploaded_by_contact=reached.contact
    ).first()
    if record is None:
        raise Http404("No such import")
    return record


def _upload(request: HttpRequest, reached: Reached) -> HttpResponse:
    form = PeopleFileForm(request.POST or None, request.FILES or None, kinds=("participant",))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = imports.upload_people_file(
                    reached.order,
                    actor=Actor.customer(reached.contact),
                    kind="participant",
                    file_name=upload.name or "",
                    file=upload,
                )
            except ActionError as error:
                form.add_error("file", error.message)
                status = error.status
            else:
                return redirect(f"{_base(reached)}{record.pk}/")
        messages.error(request, _("Nothing was imported. %(problem)s") % {"problem": error_summary(form)})
    recent = PeopleImport.objects.filter(order=reached.order, uploaded_by_contact=reached.contact)[:5]
    return _page(
        request,
        "portal/people_import.html",
        reached,
        status=status,
        file_form=form,
        imports=recent,
        base=_base(reached),
        participants_url=participants_url(reached),
    )


def _detail(request: HttpRequest, reached: Reached, import_id: int) -> HttpResponse:
    record = _mine(reached, import_id)
    form = MappingForm(request.POST or None, headers=record.headers, mapping=record.mapping)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            mode = form.cleaned_data["mode"]
            try:
                imports.start_people_import(
                    record,
                    actor=Actor.customer(reached.contact),
                    mapping=form.mapping(),
                    test_only=mode == "test",
                    valid_only=mode == "valid_only",
                )
            except ActionError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return redirect(f"{_base(reached)}{record.pk}/")
    samples = [
        [row[index] for row in record.preview if index < len(row) and row[index]][:3]
        for index in range(len(record.headers))
    ]
    return _page(
        request,
        "portal/people_import.html",
        reached,
        status=status,
        record=record,
        form=form,
        columns=list(zip(form.column_fields(), samples, strict=True)),
        base=_base(reached),
        participants_url=participants_url(reached),
    )


def _progress(request: HttpRequest, reached: Reached, import_id: int) -> JsonResponse:
    record = _mine(reached, import_id)
    return JsonResponse(
        {
            "status": record.status,
            "processed": record.processed_rows,
            "total": record.total_rows,
            "percent": record.progress_percent,
            "finished": record.finished,
        }
    )


def _refused(request: HttpRequest, reached: Reached, import_id: int) -> HttpResponse:
    record = _mine(reached, import_id)
    if not record.refused_file:
        raise Http404("No refused rows")
    response = FileResponse(
        default_storage.open(record.refused_file, "rb"), content_type="text/csv; charset=utf-8"
    )
    name = f"refused-rows-{record.pk}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)  # the portal's views are typed as returning HttpResponse


_get_post = require_http_methods(["GET", "POST"])
link_upload = order_link("track")(_get_post(_upload))
link_detail = order_link("track")(_get_post(_detail))
link_progress = order_link("track")(require_GET(_progress))
link_refused = order_link("track")(require_GET(_refused))
my_upload = signed_in_order(_get_post(_upload))
my_detail = signed_in_order(_get_post(_detail))
my_progress = signed_in_order(require_GET(_progress))
my_refused = signed_in_order(require_GET(_refused))
