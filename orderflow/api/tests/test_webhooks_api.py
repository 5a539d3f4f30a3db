"""/webhooks: the secret is shown once, every attempt is visible, a delivery can be sent again."""

from __future__ import annotations

import pytest

from orderflow.api.tests.conftest import assert_error
from orderflow.integrations.models import WebhookEndpoint
from orderflow.integrations.tests.test_webhooks import Receiver
from orderflow.notifications.models import Delivery, Status
from orderflow.notifications.worker import Worker


@pytest.fixture
def receiver(settings):
    settings.ALLOW_PRIVATE_DESTINATIONS = True
    found = Receiver()
    yield found
    found.close()


def test_the_secret_is_shown_once_when_the_endpoint_is_created(api):
    created = api.post(
        "/webhooks",
        {"url": "https://erp.example.com/hooks", "event_types": ["order.placed"], "description": "ERP"},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret"] == WebhookEndpoint.objects.get(pk=body["id"]).secret
    # never again
    assert "secret" not in api.get(f"/webhooks/{body['id']}").json()
    assert all("secret" not in endpoint for endpoint in api.get("/webhooks").json())
    assert api.get("/webhooks").json()[0]["event_types"] == ["order.placed"]


def test_an_unknown_event_type_or_url_is_refused(api):
    response = api.post("/webhooks", {"url": "https://x.example", "event_types": ["order.eaten"]})
    assert list(assert_error(response, 422, "validation_error")["details"]["fields"]) == ["event_types.0"]
    response = api.post("/webhooks", {"url": "ftp://x.example"})
    assert list(assert_error(response, 422, "validation_error")["details"]["fields"]) == ["url"]
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_is_deleted(api):
    endpoint = api.post("/webhooks", {"url": "https://erp.example.com/hooks"}).json()
    response = api.delete(f"/webhooks/{endpoint['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert_error(api.get(f"/webhooks/{endpoint['id']}"), 404, "not_found")


def test_every_attempt_is_listed_and_a_delivery_can_be_sent_again(api, receiver, make_order):
    # Given an endpoint that failed its first delivery, then recovered
    endpoint = api.post("/webhooks", {"url": receiver.url, "event_types": ["order.placed"]}).json()
    order = make_order("shop")
    receiver.status = 500
    Worker().run_once()

    page = api.get(f"/webhooks/{endpoint['id']}/deliveries").json()
    [delivery] = page["items"]
    assert delivery["status"] == Status.PENDING
    assert [a["outcome"] for a in delivery["attempts"]] == ["retry"]
    assert "500" in delivery["attempts"][0]["error"]
    assert (delivery["event_type"], delivery["order_number"]) == ("order.placed", order.number)
    assert page["next"] is None

    # When it is redelivered by hand
    receiver.status = 200
    again = api.post(f"/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/redeliver")
    assert again.status_code == 201
    assert again.json()["message_id"] == delivery["message_id"]
    Worker().run_once()

    # Then the new delivery went out with the same webhook-id, and both are listed, newest first
    items = api.get(f"/webhooks/{endpoint['id']}/deliveries").json()["items"]
    assert items[0]["id"] == again.json()["id"]
    assert Delivery.objects.get(pk=items[0]["id"]).status == Status.SENT
    assert {headers["webhook-id"] for headers, _ in receiver.requests} == {delivery["message_id"]}


def test_deliveries_are_paged_newest_first(api, make_order):
    endpoint = api.post("/webhooks", {"url": "https://erp.example.com/hooks"}).json()
    for _ in range(3):
        make_order("shop")
    first = api.get(f"/webhooks/{endpoint['id']}/deliveries", limit=2).json()
    second = api.get(f"/webhooks/{endpoint['id']}/deliveries", limit=2, cursor=first["next"]).json()
    ids = [d["id"] for d in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 3
    assert second["next"] is None


def test_a_disabled_endpoint_is_enabled_again(api):
    endpoint = api.post("/webhooks", {"url": "https://erp.example.com/hooks"}).json()
    WebhookEndpoint.objects.filter(pk=endpoint["id"]).update(is_active=False, disabled_reason="Failing")
    body = api.post(f"/webhooks/{endpoint['id']}/enable").json()
    assert (body["is_active"], body["disabled_reason"]) == (True, "")


PRIVATE_URLS = [
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.100.100.200/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.0.1/",
    "http://0.0.0.0/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://[64:ff9b::7f00:1]/",
    "https://localhost:8443/hooks",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_an_endpoint_on_an_address_that_is_not_public_is_refused_at_once(api, settings, url):
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    body = assert_error(api.post("/webhooks", {"url": url}), 400, "private_destination")
    assert body["details"] == {"field": "url"}
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_on_a_public_name_is_created(api, settings, dns):
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    dns["erp.example.com"] = [["93.184.216.34"]]
    assert api.post("/webhooks", {"url": "https://erp.example.com/hooks"}).status_code == 201
