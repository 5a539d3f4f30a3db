"""Messages with files through the API: multipart in, attachments listed, one downloaded."""

from __future__ import annotations

import hashlib

from django.test import Client

from orderflow.conversations.models import Attachment, Message
from orderflow.conversations.tests import files


def test_a_message_posted_as_multipart_carries_its_files(api, make_order):
    order = make_order("shop")
    client = Client()

    response = client.post(
        f"/api/v1/orders/{order.number}/messages",
        {
            "body": "The contract, signed",
            "internal": "true",
            "files": [_upload("contract.pdf", files.PDF), _upload("list.csv", files.CSV)],
        },
        headers=api.headers,
    )

    assert response.status_code == 201, response.content
    posted = response.json()
    assert posted["internal"] is True
    listed = {a["name"]: a for a in posted["attachments"]}
    assert listed["contract.pdf"]["content_type"] == "application/pdf"
    assert listed["contract.pdf"]["sha256"] == hashlib.sha256(files.PDF).hexdigest()
    assert listed["list.csv"]["size"] == len(files.CSV)
    thread = api.get(f"/orders/{order.number}/messages").json()
    assert [a["name"] for a in thread[-1]["attachments"]] == ["contract.pdf", "list.csv"]

    download = api.get(f"/orders/{order.number}/attachments/{listed['list.csv']['id']}")
    assert download.status_code == 200
    assert download.content == files.CSV
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_refused_file_refuses_the_message_with_its_code(api, make_order):
    order = make_order("shop")

    response = Client().post(
        f"/api/v1/orders/{order.number}/messages",
        {"body": "Invoice", "files": [_upload("invoice.pdf", files.EXE)]},
        headers=api.headers,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "file_type_refused"
    assert response.json()["details"]["field"] == "files"
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_json_still_posts_a_message_and_bad_multipart_fields_are_422(api, make_order):
    order = make_order("shop")
    assert api.post(f"/orders/{order.number}/messages", {"body": "Plain"}).status_code == 201
    response = Client().post(
        f"/api/v1/orders/{order.number}/messages", {"body": "x", "internal": "maybe"}, headers=api.headers
    )
    assert response.status_code == 422
    assert "internal" in response.json()["details"]["fields"]


def test_an_unknown_attachment_is_404(api, make_order):
    order = make_order("shop")
    assert api.get(f"/orders/{order.number}/attachments/999").status_code == 404


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
