"""A token sees only its seller: another seller's objects answer 404 on every endpoint that names one,
exactly like objects that do not exist, and lists never include another seller's rows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orderflow.api.tests.conftest import assert_error, operations
from orderflow.catalog.actions import create_item
from orderflow.conversations.actions import post_message
from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_webhook_endpoint
from orderflow.leads.actions import add_person
from orderflow.notifications.models import Delivery
from orderflow.quotes.actions import create_quote

WITH_IDS = [(method, path) for method, path in operations() if "{" in path]
BODIES: dict[str, dict[str, Any] | None] = {
    "/transitions": {"to": "in_preparation"},
    "/assign": {"assignee": None},
    "/estimated-completion": {"date": None},
    "/cancel": {"reason": "Taken"},
    "/refunds": {"amount": "1.00", "reason": "Taken"},
    "/internal-notes": {"notes": "Taken"},
    "/lines/{position}": {"status": "out_of_stock"},
    "/shipments": {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"},
    "/messages": {"body": "Taken"},
    "/contacts": {"name": "Intruder", "email": "intruder@example.com"},
    "/preferences": {"categories": {}, "hours": None},
    "/items/{item_id}": {"name": "Taken"},
    "/confirmations": {"quote_version": 1, "contact": 1},
    "/decline": {"reason": "Taken"},
    "/participants": {"email": "taken@example.com"},
    "/leads": {"email": "taken@example.com"},
    "/leads/{lead_id}": {"company": "Taken"},
}


@pytest.fixture
def acme_ids(acme, olivia, make_order, alice):
    """Real ids of Acme's objects: the rival's token will name them."""
    endpoint = create_webhook_endpoint(acme, url="https://hooks.example.com/acme", actor=Actor.staff(olivia))
    order = make_order("shop")
    delivery = Delivery.objects.filter(notification__webhook=endpoint).first()
    assert delivery is not None
    message = post_message(
        order, body="The terms", files=[("terms.csv", b"a,b\n1,2\n")], actor=Actor.staff(olivia)
    )
    quote = create_quote(order, actor=Actor.staff(olivia))
    confirmation = _confirmation(quote, alice, olivia)
    return {
        "version": quote.version,
        "confirmation_id": confirmation.pk,
        "attachment_id": message.attachments.get().pk,
        "number": order.number,
        "position": 1,
        "customer_id": alice.customer_id,
        "contact_id": alice.pk,
        "endpoint_id": endpoint.pk,
        "delivery_id": delivery.pk,
        "item_id": create_item(acme, actor=Actor.staff(olivia), sku="KEG", name="Keg", unit_price="1").pk,
        "lead_id": add_person(Actor.staff(olivia), order, "lead", {"email": "lead@example.com"}).pk,
        **_transfer_ids(order, olivia),
    }


def _confirmation(quote, contact, staff):
    """A customer confirmation of the quote (quotes, 003)."""
    from orderflow.quotes.actions.confirmations import send_confirmation
    from orderflow.quotes.actions.terms import publish_terms

    publish_terms(quote.seller, title="Terms", body="Payment within 30 days.", actor=Actor.staff(staff))
    if not quote.lines.exists():
        quote.lines.create(position=1, description="Crate", quantity=1)
    return send_confirmation(quote, contact=contact, actor=Actor.staff(staff))


def _transfer_ids(order, olivia) -> dict[str, int]:
    """An import with refused rows and a ready download of Olivia's (the token's member)."""
    import io

    from orderflow.transfers.actions.exports import build_download, request_people_export
    from orderflow.transfers.actions.imports import run_people_import, upload_people_file
    from orderflow.transfers.models import ImportStatus, PeopleImport

    record = upload_people_file(
        order, actor=Actor.staff(olivia), kind="lead", file_name="a.csv", file=io.BytesIO(b"email\nbad\n")
    )
    PeopleImport.objects.filter(pk=record.pk).update(status=ImportStatus.QUEUED)
    run_people_import.call(record.pk)
    download = request_people_export(order.seller, actor=Actor.staff(olivia), order_numbers=[order.number])
    build_download.call(download.pk)
    return {"import_id": record.pk, "download_id": download.pk}


def _body(path: str) -> dict[str, Any] | None:
    return next((body for suffix, body in BODIES.items() if path.endswith(suffix)), {})


@pytest.mark.parametrize(("method", "path"), WITH_IDS)
def test_another_sellers_object_is_404_on_every_endpoint(rival_api, api, acme_ids, method, path):
    url = re.sub(r"\{([a-z_]+)\}", lambda m: str(acme_ids[m.group(1)]), path)
    if path.endswith("/leads/imports"):  # a file upload: multipart, with a file that would import
        upload = SimpleUploadedFile("leads.csv", b"email\ntaken@example.com\n", content_type="text/csv")
        response = rival_api.client.post(f"/api/v1{url}", {"file": upload}, headers=rival_api.headers)
    else:
        response = rival_api.request(method, url, _body(path))
    assert_error(response, 404, "not_found")
    if method == "GET":
        assert api.request(method, url).status_code == 200  # the same URL works for its owner


def test_lists_never_include_another_sellers_rows(rival_api, acme_ids, rival, rita, rival_customer):
    create_webhook_endpoint(rival, url="https://hooks.example.com/rival", actor=Actor.staff(rita))
    assert rival_api.get("/orders").json()["items"] == []
    assert rival_api.get("/orders", archived="true").json()["items"] == []
    assert [c["name"] for c in rival_api.get("/customers").json()["items"]] == ["Rival's Customer"]
    assert [w["url"] for w in rival_api.get("/webhooks").json()] == ["https://hooks.example.com/rival"]
    assert rival_api.get("/order-types").json() == []
    assert [s["name"] for s in rival_api.get("/staff").json()] == ["Rita"]
    assert rival_api.get("/catalog/items").json()["items"] == []


def test_another_sellers_ids_in_a_body_or_filter_are_unknown(rival_api, acme_ids, rival_customer, sam):
    # Acme's customer, contact and staff named from Rival's side: as if they did not exist
    response = rival_api.post(
        "/orders", {"customer": acme_ids["customer_id"], "order_type": "shop", "title": "Crate"}
    )
    assert assert_error(response, 422, "invalid")["details"]["fields"] == {"customer": ["No such customer."]}
    response = rival_api.post(
        "/orders",
        {
            "customer": rival_customer.pk,
            "contact": acme_ids["contact_id"],
            "order_type": "shop",
            "title": "Crate",
        },
    )
    assert "contact" in assert_error(response, 422, "invalid")["details"]["fields"]
    assert_error(rival_api.get("/orders", customer=acme_ids["customer_id"]), 422, "invalid")
    assert_error(rival_api.get("/orders", assignee=sam.pk), 422, "invalid")


def test_idempotency_keys_are_per_seller(api, rival_api, acme_ids, rival_customer):
    # The same key used by two sellers is two different requests, not a reuse
    first = api.post("/customers", {"name": "Same key"}, headers={"Idempotency-Key": "shared-key"})
    second = rival_api.post("/customers", {"name": "Same key"}, headers={"Idempotency-Key": "shared-key"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second
