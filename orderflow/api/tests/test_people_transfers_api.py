"""/orders/{number}/leads/imports and /exports: upload and import in one call, its status and counts,
the refused rows, exports into the member's downloads; another seller's order is a 404."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orderflow.api.tests.conftest import assert_error
from orderflow.leads.models import Person

CSV = "Prénom;Nom;Courriel\r\nÉlodie;Tremblay;elodie@example.com\r\nSans;Courriel;pas-valide\r\n".encode(
    "cp1252"
)


@pytest.fixture
def order(make_order):
    return make_order("services-marketplace")


def post_file(api, number: int, content: bytes = CSV, **fields: str):
    return api.client.post(
        f"/api/v1/orders/{number}/leads/imports",
        {"file": SimpleUploadedFile("leads.csv", content), **fields},
        headers=api.headers,
    )


def test_import_valid_rows_and_read_the_outcome(api, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(api, order.number, mode="valid_only")
    assert response.status_code == 202, response.content
    started = response.json()
    assert started["mapping"] == {"0": "first_name", "1": "last_name", "2": "email"}
    body = api.get(f"/orders/{order.number}/leads/imports/{started['id']}").json()
    assert (body["status"], body["created"], body["failed"]) == ("done", 1, 1)
    assert body["errors"][0]["code"] == "invalid_email"
    refused = api.client.get(body["refused_rows_url"], headers=api.headers)
    assert refused.status_code == 200
    assert Person.objects.filter(order=order, kind="lead").count() == 1


def test_all_or_nothing_by_default(api, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        started = post_file(api, order.number).json()
    body = api.get(f"/orders/{order.number}/leads/imports/{started['id']}").json()
    assert (body["status"], body["created"]) == ("failed", 0)
    assert not Person.objects.exists()


def test_bad_mapping_and_bad_files(api, order):
    mapping = json.dumps({"0": "email", "2": "email"})
    assert_error(post_file(api, order.number, mapping=mapping), 400, "duplicate_mapping")
    assert_error(post_file(api, order.number, mapping="[1]"), 422)
    assert_error(post_file(api, order.number, content=b"MZ\x90\x00" + bytes(300)), 400, "not_a_spreadsheet")
    assert_error(api.post(f"/orders/{order.number}/leads/imports", {}), 422)


def test_another_sellers_order_is_not_found(rival_api, order):
    assert_error(post_file(rival_api, order.number), 404, "not_found")


def test_exports_land_in_the_members_downloads(api, rival_api, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/exports", {"orders": [order.number], "kind": "lead", "file_format": "csv"})
    assert response.status_code == 202, response.content
    listed = api.get("/exports").json()
    assert [item["status"] for item in listed] == ["ready"]
    assert api.client.get(listed[0]["file_url"], headers=api.headers).status_code == 200
    assert rival_api.get("/exports").json() == []
    assert_error(rival_api.post("/exports", {"orders": [order.number]}), 400, "unknown_order")
