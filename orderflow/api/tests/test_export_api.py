"""GET /api/v1/orders/export: the list's filters, as CSV or XLSX, for any token that may list orders."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from orderflow.api.api import api as ninja_api
from orderflow.api.tests.conftest import ApiClient, assert_error
from orderflow.core.actors import Actor
from orderflow.orders import export
from orderflow.orders.actions import assign_order


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content if not response.streaming else ""
    assert response["Content-Type"] == export.CONTENT_TYPES["csv"]
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    # French readers get semicolons (their spreadsheets' separator, as the decimal comma takes the comma)
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


@pytest.fixture
def orders(make_order, olivia, sam):
    """#1 shop (Sam's), #2 distributor, #3 shop with a title a spreadsheet would run."""
    shop = make_order("shop", title="Birthday cake")
    assign_order(shop, assignee=sam, actor=Actor.staff(olivia))
    return [shop, make_order("distributor"), make_order("shop", title="=1+2")]


def test_csv_is_the_default_and_follows_the_list_filters(api, orders, sam):
    everything = csv_rows(api.get("/orders/export"))
    assert sorted(row[0] for row in everything[1:]) == ["1", "2", "3"]

    shop = csv_rows(api.get("/orders/export", order_type="shop", sort="submitted"))
    assert [row[0] for row in shop[1:]] == ["1", "3"]
    assert shop[2][1] == "'=1+2"
    mine = csv_rows(api.get("/orders/export", assignee=str(sam.pk)))
    assert [row[0] for row in mine[1:]] == ["1"]


def test_xlsx_has_typed_cells_and_no_formula(api, orders):
    response = api.get("/orders/export", format="xlsx", order_type="shop", sort="submitted")

    assert response.status_code == 200
    assert response["Content-Type"] == export.CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"].startswith('attachment; filename="orders-acme-')
    sheet = load_workbook(io.BytesIO(body(response))).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(cell.value, cell.data_type) for cell in numbers] == [(1, "n"), (3, "n")]
    title = sheet.cell(row=3, column=2)
    assert (title.value, title.data_type) == ("=1+2", "s")


def test_the_reader_language_follows_accept_language(api, orders):
    api.headers = {**api.headers, "Accept-Language": "fr-CA,fr;q=0.9"}
    rows = csv_rows(api.get("/orders/export", sort="submitted"))
    assert rows[0][:2] == ["Numéro de commande", "Titre"]
    assert rows[1][4] == orders[0].current_state.label("fr")


def test_a_read_only_token_may_export(read_api, orders):
    assert len(csv_rows(read_api.get("/orders/export"))) == 4


def test_bad_filters_are_refused_as_on_the_list(api, orders, rival_customer):
    assert_error(api.get("/orders/export", format="pdf"), 422, "validation_error")
    assert_error(api.get("/orders/export", order_type="nope"), 422, "invalid")
    assert_error(api.get("/orders/export", customer=str(rival_customer.pk)), 422, "invalid")


def test_another_sellers_orders_are_never_exported(rival_api, orders):
    rows = csv_rows(rival_api.get("/orders/export"))
    assert rows[1:] == []


def test_no_token_no_file(orders):
    assert_error(ApiClient(None).get("/orders/export"), 401, "unauthorized")


def test_exports_count_against_the_rate_limit(api, orders, settings):
    settings.API_RATE_LIMIT = 2
    first = api.get("/orders/export")
    assert first["RateLimit-Remaining"] == "1"
    api.get("/orders/export")
    assert_error(api.get("/orders/export"), 429, "rate_limited")


def test_too_large_an_export_is_refused(api, orders, monkeypatch):
    monkeypatch.setitem(export.MAX_ROWS, "csv", 2)
    assert_error(api.get("/orders/export"), 400, "export_too_large")
    assert len(csv_rows(api.get("/orders/export", order_type="shop"))) == 3
    assert api.get("/orders/export", format="xlsx").status_code == 200


def test_the_schema_documents_a_binary_answer(db):
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    operation = schema["paths"]["/api/v1/orders/export"]["get"]
    content = operation["responses"]["200"]["content"]
    assert set(content) == {"text/csv", export.CONTENT_TYPES["xlsx"]}
    assert all(media["schema"] == {"type": "string", "format": "binary"} for media in content.values())
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    filters = {"search", "order_type", "category", "state", "assignee", "customer", "archived", "sort"}
    assert {"format", *filters} <= parameters
    assert not {"limit", "cursor"} & parameters
    assert ninja_api.get_openapi_schema(path_prefix="")["paths"]["/orders/export"]
