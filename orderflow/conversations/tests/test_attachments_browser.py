"""Staff attach a file to a message in a real browser; the customer downloads it from the portal."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.db import connection

from orderflow.conftest import PASSWORD
from orderflow.conversations.tests import files
from orderflow.portal.tests.conftest import alice_login  # noqa: F401  (fixture)
from orderflow.web.tests.test_browser import browser_page, chromium_path  # noqa: F401  (fixtures)


@pytest.fixture
def erase_attachments_at_teardown(transactional_db):
    """Attachments are immutable (a trigger refuses DELETE): the flush that ends a transactional test
    on SQLite deletes rows one table at a time, so the test's own files are removed first, trigger
    lifted for that moment only. (PostgreSQL's flush truncates, which row triggers do not see.)"""
    yield
    if connection.vendor != "sqlite":
        return
    immutable = importlib.import_module("orderflow.conversations.migrations.0003_attachments_immutable")

    with connection.cursor() as cursor:
        for statement in immutable.SQLITE_UNDO:
            cursor.execute(statement)
        cursor.execute("DELETE FROM conversations_attachment")
        for statement in immutable.SQLITE:
            cursor.execute(statement)


@pytest.mark.browser
def test_staff_attach_a_file_and_the_customer_downloads_it_from_the_portal(
    erase_attachments_at_teardown,
    live_server,
    browser_page,  # noqa: F811
    make_order,
    olivia,
    alice_login,  # noqa: F811
    tmp_path,
):
    from playwright.sync_api import expect

    order = make_order("distributor", title="Weekend restock")
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(files.PDF)
    page = browser_page

    # Given Olivia writes to the customer with the contract attached
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/s/acme/orders/{order.number}/")
    page.get_by_label("Message").fill("Here is the contract to sign.")
    page.get_by_label("Attach files").set_input_files(str(contract))
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_test_id("thread-message").last).to_contain_text("contract.pdf")
    page.context.clear_cookies()

    # When Alice signs in to the portal and opens the order
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("alice@cornerbar.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/my/orders/{order.number}/")

    # Then she downloads the file, byte for byte
    with page.expect_download() as download_info:
        page.get_by_role("link", name="contract.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "contract.pdf"
    assert Path(download.path()).read_bytes() == files.PDF
