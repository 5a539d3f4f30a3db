"""The people import and export pages: upload, mapping (two columns to one field refused), the outcome
with its refused-rows file, export now, schedules, My downloads from the dashboard, and another seller's
order or someone else's download (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orderflow.accounts.actions import add_staff
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.leads.models import Person
from orderflow.transfers.actions.exports import request_people_export
from orderflow.transfers.models import Download, ExportSchedule, PeopleImport
from orderflow.web.tests.conftest import order_url, seller_url

CSV = "Prénom;Nom;Courriel;Téléphone\r\nÉlodie;Tremblay;elodie@example.com;\r\nSans;Contact;;\r\n".encode(
    "cp1252"
)


@pytest.fixture
def order(make_order):
    return make_order("services-marketplace")


def upload(client, order, content: bytes = CSV, name: str = "leads.csv", kind: str = "lead"):
    return client.post(
        order_url(order, "people_import_upload"),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_upload_map_and_import_the_valid_rows(as_olivia, order, django_capture_on_commit_callbacks):
    response = upload(as_olivia, order)
    assert response.status_code == 302
    record = PeopleImport.objects.get()
    page = as_olivia.get(response.url)
    assert page.status_code == 200
    assert 'data-testid="mapping-form"' in page.content.decode()
    assert "Élodie" in page.content.decode()
    # Two columns mapped to the email are refused
    form = {
        "column_0": "first_name",
        "column_1": "last_name",
        "column_2": "email",
        "column_3": "email",
        "mode": "all",
    }
    refused = as_olivia.post(response.url, form)
    assert refused.status_code == 400
    assert 'data-testid="mapping-error"' in refused.content.decode()
    # Then the valid rows only
    with django_capture_on_commit_callbacks(execute=True):
        done = as_olivia.post(response.url, {**form, "column_3": "phone", "mode": "valid_only"})
    assert done.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.created_count, record.failed_count) == ("done", 1, 1)
    outcome = as_olivia.get(response.url).content.decode()
    assert 'data-testid="refused-file"' in outcome
    refused_file = as_olivia.get(order_url(order, "people_import_refused", import_id=record.pk))
    assert refused_file.status_code == 200
    assert b"Sans" in b"".join(refused_file.streaming_content)
    progress = as_olivia.get(order_url(order, "people_import_progress", import_id=record.pk)).json()
    assert progress["finished"] is True


def test_a_lying_file_is_refused_on_the_page(as_olivia, order):
    response = upload(as_olivia, order, content=b"\x7fELF\x02\x01\x01" + bytes(range(64)), name="leads.xlsx")
    assert response.status_code == 400
    assert not PeopleImport.objects.exists()


def test_another_sellers_staff_get_404(client, order, rival, django_capture_on_commit_callbacks):
    rex = add_staff(rival, username="rex", password=PASSWORD, first_name="Rex", role="owner")
    client.force_login(rex.user)
    assert client.get(seller_url("people_transfer", number=order.number)).status_code in (403, 404)
    assert (
        client.get(seller_url("people_transfer", seller_slug="rival", number=order.number)).status_code == 404
    )


def test_export_now_and_schedules(as_olivia, order, olivia):
    Person.objects.create(
        seller=order.seller,
        order=order,
        kind="lead",
        email="a@example.com",
        email_normalised="a@example.com",
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    response = as_olivia.get(order_url(order, "people_export", kind="lead", file_format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    added = as_olivia.post(
        order_url(order, "people_schedule_add"),
        {"kind": "lead", "frequency": "weekly", "file_format": "xlsx", "recipients": [olivia.pk]},
    )
    assert added.status_code == 302
    schedule = ExportSchedule.objects.get()
    page = as_olivia.get(order_url(order, "people_transfer")).content.decode()
    assert 'data-testid="schedules"' in page
    as_olivia.post(order_url(order, "people_schedule_change", schedule_id=schedule.pk), {"paused": "on"})
    schedule.refresh_from_db()
    assert schedule.paused
    as_olivia.post(order_url(order, "people_schedule_change", schedule_id=schedule.pk), {"remove": "1"})
    assert not ExportSchedule.objects.exists()


def test_export_participants_from_the_dashboard_to_my_downloads(
    as_olivia, order, olivia, sam, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_olivia.post(
            seller_url("participants_export"), {"orders": [order.number], "since": "2020-01-01"}
        )
    assert response.status_code == 302
    download = Download.objects.get()
    assert download.status == "ready"
    page = as_olivia.get(seller_url("downloads")).content.decode()
    assert 'data-testid="downloads"' in page
    assert as_olivia.get(seller_url("download_file", download_id=download.pk)).status_code == 200
    # Sam, of the same seller, does not see Olivia's download
    client.logout()
    client.force_login(sam.user)
    assert client.get(seller_url("download_file", download_id=download.pk)).status_code == 404
    assert client.post(seller_url("download_remove", download_id=download.pk)).status_code == 404
    assert Download.objects.exists()


def test_expired_downloads_are_not_listed(as_olivia, order, olivia, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        download = request_people_export(
            olivia.seller, actor=Actor.staff(olivia), order_numbers=[order.number]
        )
    Download.objects.filter(pk=download.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert 'data-testid="downloads"' not in as_olivia.get(seller_url("downloads")).content.decode()
