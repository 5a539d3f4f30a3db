"""POST /orders/{number}/shipments: the same action as the order page, its refusals as API errors;
the order shape carries its shipments."""

from __future__ import annotations

from orderflow.api.tests.conftest import assert_error
from orderflow.core.actors import Actor
from orderflow.orders.actions import add_carrier
from orderflow.orders.models import Shipment

UPS = "https://www.ups.com/track?tracknum={tracking}"


def test_a_shipment_is_recorded_and_shown_on_the_order(api, make_order, acme, olivia):
    add_carrier(acme, name="UPS", url_pattern=UPS, actor=Actor.staff(olivia))
    order = make_order("custom-production")

    response = api.post(
        f"/orders/{order.number}/shipments",
        {"carrier": "UPS", "tracking_number": "1Z/99", "estimated_delivery": "2099-01-02"},
    )

    assert response.status_code == 201, response.json()
    [shipment] = response.json()["shipments"]
    assert shipment["tracking_url"] == "https://www.ups.com/track?tracknum=1Z%2F99"
    assert shipment["estimated_delivery"] == "2099-01-02"
    assert api.get(f"/orders/{order.number}").json()["shipments"] == [shipment]
    assert [o["shipments"] for o in api.get("/orders").json()["items"]] == [[shipment]]


def test_an_unknown_or_other_sellers_carrier_is_refused(api, make_order, rival, rita):
    add_carrier(rival, name="Theirs", url_pattern=UPS, actor=Actor.staff(rita))
    order = make_order("custom-production")
    for name in ("Nobody", "Theirs"):
        body = assert_error(
            api.post(f"/orders/{order.number}/shipments", {"carrier": name, "tracking_number": "1"}),
            422,
            "invalid",
        )
        assert "carrier" in body["details"]["fields"]
    assert_error(api.post(f"/orders/{order.number}/shipments", {"carrier": "UPS"}), 422)
    assert not Shipment.objects.exists()


def test_a_cancelled_order_ships_nothing(api, make_order, acme, olivia):
    add_carrier(acme, name="UPS", url_pattern=UPS, actor=Actor.staff(olivia))
    order = make_order("shop")
    assert api.post(f"/orders/{order.number}/cancel", {"reason": "No longer needed"}).status_code == 200
    response = api.post(f"/orders/{order.number}/shipments", {"carrier": "UPS", "tracking_number": "1"})
    assert_error(response, 400, "cancelled")
