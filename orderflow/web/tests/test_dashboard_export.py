"""Export CSV / Export XLSX on Manage orders: the list as shown (filters and sort), named for the seller
and the day, in the reader's language; another seller's list is a 404."""

from __future__ import annotations

import csv
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from orderflow.accounts.actions import set_staff_language
from orderflow.core.actors import Actor
from orderflow.orders import export
from orderflow.orders.actions import assign_order

DASHBOARD = reverse("dashboard", kwargs={"seller_slug": "acme"})


def export_url(file_format: str, seller_slug: str = "acme") -> str:
    return reverse("dashboard_export", kwargs={"seller_slug": seller_slug, "file_format": file_format})


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    # French readers get semicolons (their spreadsheets' separator, as the decimal comma takes the comma)
    header = body.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=delimiter))


@pytest.fixture
def orders(make_order, olivia, sam):
    """#1 shop (Sam's), #2 distributor, #3 shop."""
    shop = make_order("shop", title="Birthday cake")
    assign_order(shop, assignee=sam, actor=Actor.staff(olivia))
    return [shop, make_order("distributor", title="Weekend restock"), make_order("shop", title="Bread")]


def test_the_list_links_to_exports_of_the_same_view(as_olivia, orders):
    page = as_olivia.get(DASHBOARD, {"type": "shop", "sort": "submitted", "page": "1"}).content.decode()

    links = re.findall(r'href="(/s/acme/orders/export\.(?:csv|xlsx)[^"]*)"', page)
    assert len(links) == 2
    for link in links:
        assert "type=shop" in link
        assert "sort=submitted" in link
        assert "page=" not in link


def test_the_csv_export_honours_the_filters_and_sort(as_olivia, orders):
    rows = csv_rows(as_olivia.get(export_url("csv"), {"type": "shop", "sort": "submitted"}))

    assert [row[0] for row in rows[1:]] == ["1", "3"]
    everything = csv_rows(as_olivia.get(export_url("csv")))
    assert sorted(row[0] for row in everything[1:]) == ["1", "2", "3"]


def test_the_xlsx_export_honours_the_filters(as_olivia, orders, sam):
    response = as_olivia.get(export_url("xlsx"), {"assignee": str(sam.pk)})

    assert response.status_code == 200
    assert response["Content-Type"] == export.CONTENT_TYPES["xlsx"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [1]
    assert sheet.cell(row=2, column=2).data_type == "s"


@time_machine.travel("2026-06-10 23:30:00-04:00", tick=False)
def test_the_file_is_named_for_the_seller_and_its_day(as_olivia, orders):
    for file_format in export.FORMATS:
        response = as_olivia.get(export_url(file_format))
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment")
        # 23:30 in New York (Acme's zone) is already the 11th in UTC: the seller's day counts
        assert f'filename="orders-acme-2026-06-10.{file_format}"' in disposition
        assert "no-store" in response["Cache-Control"]


def test_a_french_reader_gets_french_headers_and_labels(as_olivia, orders, olivia):
    set_staff_language(olivia, language="fr", actor=Actor.staff(olivia))

    rows = csv_rows(as_olivia.get(export_url("csv"), {"sort": "submitted"}))

    assert rows[0][:2] == ["Numéro de commande", "Titre"]
    assert rows[1][4] == orders[0].current_state.label("fr")
    assert rows[1][-1] == "non"


def test_invalid_filters_are_left_out_as_on_the_list(as_olivia, orders):
    rows = csv_rows(as_olivia.get(export_url("csv"), {"assignee": "nobody-known", "type": "shop"}))
    assert sorted(row[0] for row in rows[1:]) == ["1", "3"]


def test_an_unknown_format_is_404(as_olivia, orders):
    assert as_olivia.get(export_url("pdf")).status_code == 404


def test_another_sellers_export_is_404(client, orders, rival, rita):
    client.force_login(rita.user)
    assert client.get(export_url("csv", seller_slug="acme")).status_code == 404
    own = csv_rows(client.get(export_url("csv", seller_slug="rival")))
    assert own[1:] == []


def test_signed_out_people_are_sent_to_log_in(client, orders):
    response = client.get(export_url("csv"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_an_export_too_large_goes_back_to_the_list_with_a_message(as_olivia, orders, monkeypatch):
    monkeypatch.setitem(export.MAX_ROWS, "xlsx", 2)

    response = as_olivia.get(export_url("xlsx"), {"type": "distributor"})
    assert response.status_code == 200  # one order: within the limit
    response = as_olivia.get(export_url("xlsx"), {"category": "open"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{DASHBOARD}?category=open"
    assert any(m.level_tag == "error" for m in response.context["messages"])
