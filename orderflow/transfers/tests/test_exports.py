"""Exports of people: a file now (formulas defused), My downloads in the background with an email,
schedules run when due and removed or paused, expired downloads removed, tenancy."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import load_workbook

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.leads.actions import save_people
from orderflow.notifications.models import Notification
from orderflow.transfers.actions import exports
from orderflow.transfers.models import Download, DownloadStatus


@pytest.fixture
def people(order, olivia, sam) -> None:
    for member in (olivia, sam):
        member.user.email = f"{member.user.username}@acme.example"
        member.user.save()
    save_people(
        Actor.staff(olivia),
        order,
        "lead",
        [
            {"first_name": "=2+3", "email": "eve@example.com", "company": "@SUM(A1)"},
            {"first_name": "Ann", "phone": "+1 514 555 0199"},
        ],
        source="test",
    )


def test_csv_now_neutralises_formulas(order, olivia, people) -> None:
    name, out = exports.export_people_now(
        order, actor=Actor.staff(olivia), kind="lead", file_format="csv", language="en"
    )
    rows = list(csv.reader(io.StringIO(out.read().decode("utf-8-sig"))))
    assert name.endswith(".csv")
    assert rows[0][:3] == ["Order number", "Kind", "First name"]
    eve = next(row for row in rows if row[4] == "eve@example.com")
    assert eve[2] == "'=2+3"
    assert eve[6] == "'@SUM(A1)"


def test_xlsx_now_holds_text_cells_only(order, olivia, people) -> None:
    _name, out = exports.export_people_now(
        order, actor=Actor.staff(olivia), kind="lead", file_format="xlsx", language="fr"
    )
    sheet = load_workbook(out).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][2] == "Prénom"
    eve = next(row for row in values if row[4] == "eve@example.com")
    assert eve[2] == "'=2+3"


def test_a_contact_or_another_seller_cannot_export(order, alice, rita, people) -> None:
    for actor in (Actor.customer(alice), Actor.staff(rita)):
        with pytest.raises(ActionError) as refused:
            exports.export_people_now(order, actor=actor, kind="lead", file_format="csv", language="en")
        assert refused.value.code == "forbidden"


def test_participants_export_lands_in_my_downloads_with_an_email(
    order, olivia, people, django_capture_on_commit_callbacks, settings
) -> None:
    settings.NOTIFICATIONS_SANDBOX = True
    with django_capture_on_commit_callbacks(execute=True):
        download = exports.request_people_export(
            olivia.seller,
            actor=Actor.staff(olivia),
            order_numbers=[order.number],
            kind="lead",
            file_format="csv",
        )
    download.refresh_from_db()
    assert download.status == DownloadStatus.READY
    assert download.row_count == 2
    assert download.size == default_storage.size(download.stored_file)
    email = Notification.objects.get(template="export_ready")
    assert email.membership == olivia
    assert "/s/acme/downloads/" in (email.payload or {})["action_url"]
    # The worker writes it (in the sandbox) with the export's title and the link
    from orderflow.notifications.models import Delivery, SandboxMessage
    from orderflow.web.tests.conftest import run_worker

    run_worker()
    assert Delivery.objects.get(notification=email).status == "sent"
    kept = SandboxMessage.objects.get()
    assert "Leads of order" in kept.subject


def test_only_people_added_since_a_date(order, olivia, people, django_capture_on_commit_callbacks) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        download = exports.request_people_export(
            olivia.seller,
            actor=Actor.staff(olivia),
            order_numbers=[order.number],
            kind="lead",
            since=tomorrow,
        )
    download.refresh_from_db()
    assert download.row_count == 0


def test_another_sellers_orders_are_unknown(order, rita) -> None:
    with pytest.raises(ActionError) as refused:
        exports.request_people_export(
            rita.seller, actor=Actor.staff(rita), order_numbers=[order.number + 999]
        )
    assert refused.value.code == "unknown_order"


def test_expired_downloads_are_removed(order, olivia, people, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        download = exports.request_people_export(
            olivia.seller, actor=Actor.staff(olivia), order_numbers=[order.number], kind="lead"
        )
    download.refresh_from_db()
    stored = download.stored_file
    Download.objects.filter(pk=download.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    exports.purge_expired_downloads.call()
    assert not Download.objects.exists()
    assert not default_storage.exists(stored)


def test_a_due_schedule_runs_once_per_period(
    order, olivia, sam, people, django_capture_on_commit_callbacks
) -> None:
    schedule = exports.schedule_export(
        order,
        actor=Actor.staff(olivia),
        kind="lead",
        frequency="weekly",
        file_format="xlsx",
        recipients=[olivia, sam],
    )
    assert exports.run_due_schedules.call() == 0  # not due yet
    schedule.next_run_at = timezone.now() - dt.timedelta(minutes=1)
    schedule.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert exports.run_due_schedules.call() == 1
        assert exports.run_due_schedules.call() == 0
    assert sorted(Download.objects.values_list("membership__user__username", "status")) == [
        ("olivia", "ready"),
        ("sam", "ready"),
    ]
    assert Notification.objects.filter(template="export_ready").count() == 2
    schedule.refresh_from_db()
    assert schedule.next_run_at > timezone.now() + dt.timedelta(days=6)


def test_paused_schedules_do_not_run_and_schedules_are_removed(order, olivia) -> None:
    schedule = exports.schedule_export(
        order,
        actor=Actor.staff(olivia),
        kind="lead",
        frequency="daily",
        file_format="csv",
        recipients=[olivia],
    )
    exports.set_schedule_paused(schedule, actor=Actor.staff(olivia), paused=True)
    schedule.next_run_at = timezone.now() - dt.timedelta(minutes=1)
    schedule.save()
    assert exports.run_due_schedules.call() == 0
    exports.remove_schedule(schedule, actor=Actor.staff(olivia))
    assert not order.export_schedules.exists()


def test_schedule_recipients_must_be_the_sellers_staff(order, olivia, rita) -> None:
    with pytest.raises(ActionError) as refused:
        exports.schedule_export(
            order,
            actor=Actor.staff(olivia),
            kind="lead",
            frequency="daily",
            file_format="csv",
            recipients=[rita],
        )
    assert refused.value.code == "unknown_recipient"


def test_schedules_and_expiries_are_periodic_jobs(settings) -> None:
    from django.utils.module_loading import import_string
    from django_tasks.base import Task

    for name in ("run_due_schedules", "purge_expired_downloads"):
        path = f"orderflow.transfers.actions.exports.{name}"
        assert settings.PERIODIC_TASKS[path] > 0
        assert isinstance(import_string(path), Task)
