"""A staff member imports a French lead file in a real browser, on a phone: upload, the guessed mapping,
a test run, then the valid rows; the progress bar moves without reloading while the task runs, and the
outcome shows the counts and the refused rows file."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderflow.conftest import PASSWORD
from orderflow.transfers.actions.imports import run_people_import
from orderflow.transfers.models import ImportStatus, PeopleImport
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401 (fixtures)

PHONE = {"width": 375, "height": 740}
SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "leads-sample.csv"


@pytest.mark.browser
def test_upload_map_watch_the_progress_and_read_the_result(
    transactional_db,
    live_server,
    browser_page,  # noqa: F811
    settings,
    make_order,
):
    from playwright.sync_api import expect

    # The task stays queued until the test runs it, as when a worker picks it up later.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }
    order = make_order("services-marketplace")
    page = browser_page
    page.set_viewport_size(PHONE)

    # Given Olivia signs in and opens the order's import page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/s/acme/orders/{order.number}/")
    page.get_by_test_id("people-transfer-link").click()

    # When she uploads the French sample file as leads
    page.get_by_label("File").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and preview").click()

    # Then the columns are mapped from their French headers, and the preview fits a phone
    expect(page.get_by_label("Courriel")).to_have_value("email")
    expect(page.get_by_label("Téléphone")).to_have_value("phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # When she chooses to import the valid rows, the page shows a progress bar
    page.get_by_label("Import the valid rows, refuse the others").check()
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    record = PeopleImport.objects.get()
    assert record.status == ImportStatus.QUEUED

    # And when the worker runs it, the page moves on to the outcome by itself
    run_people_import.call(record.pk)
    expect(page.get_by_test_id("import-counts")).to_contain_text("5 added", timeout=10_000)
    expect(page.get_by_test_id("import-counts")).to_contain_text("3 refused")
    expect(page.get_by_test_id("import-errors")).to_contain_text("Téléphone")
    with page.expect_download() as download:
        page.get_by_test_id("refused-file").click()
    assert download.value.suggested_filename.startswith("refused-rows-")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
