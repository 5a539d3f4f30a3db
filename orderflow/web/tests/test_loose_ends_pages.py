"""Issue 11's loose ends in the workspace: the order page shows the delivery time chosen, the rating
and call outcomes (and its log says them), records shipments; the seller settings page; buttons worded
for staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from orderflow.accounts.actions import add_contact
from orderflow.core.actors import Actor
from orderflow.notifications.actions import (
    choose_delivery_time,
    complete_call_task,
    delivery_slots,
    record_feedback,
)
from orderflow.notifications.models import CallTask
from orderflow.orders.actions import add_carrier, transition_order
from orderflow.orders.models import Carrier, EventType, Shipment
from orderflow.web.activity import activity, stars
from orderflow.web.tests.conftest import order_url, seller_url
from orderflow.workflows.models import OrderType

DOORS_TO_PACKED = ("measurements", "design_agreed", "materials_selected", "in_production", "packed")
UPS = "https://www.ups.com/track?tracknum={tracking}"


@pytest.fixture
def ups(acme, olivia) -> Carrier:
    return add_carrier(acme, name="UPS", url_pattern=UPS, actor=Actor.staff(olivia))


def _summaries(order, kind: str) -> list[str]:
    order.refresh_from_db()
    types = [event.type for event in order.events.all()]
    return [entry.summary for entry, type in zip(activity(order, "en"), types, strict=True) if type == kind]


def test_the_delivery_time_chosen_is_in_the_log_and_the_details(as_olivia, make_order, alice):
    order = make_order("custom-production", path=DOORS_TO_PACKED)
    slot = delivery_slots(order)[0]
    choose_delivery_time(order, slot=slot, actor=Actor.customer(alice))

    [summary] = _summaries(order, EventType.DELIVERY_TIME)
    page = as_olivia.get(order_url(order)).content.decode()
    assert str(slot.astimezone(dt.UTC).year) in summary
    assert 'data-testid="delivery-time"' in page


def test_the_rating_shows_its_stars_in_the_log_and_the_details(as_olivia, make_order, olivia, alice):
    order = make_order("custom-production", path=(*DOORS_TO_PACKED, "shipped", "delivered"))
    record_feedback(order, rating=4, comment="Lovely doors", actor=Actor.customer(alice))

    [summary] = _summaries(order, EventType.FEEDBACK)
    page = as_olivia.get(order_url(order)).content.decode()
    assert stars(4) == "★★★★☆"
    assert stars(4) in summary
    assert 'data-testid="rating"' in page
    assert "Lovely doors" in page


def test_a_calls_outcome_is_in_the_log_and_the_details(as_olivia, make_order, corner_bar, olivia, settings):
    import time_machine

    from orderflow.web.tests.conftest import DAYTIME, run_worker

    carl = add_contact(corner_bar, name="Carl Caller", phone="+12125550199", preferred_channels=["call"])
    with time_machine.travel(DAYTIME, tick=False):
        order = make_order("shop", contact=carl)
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
        run_worker()
    complete_call_task(CallTask.objects.get(), outcome="Will pick up at 5", actor=Actor.staff(olivia))

    [summary] = _summaries(order, EventType.CALL_DONE)
    page = as_olivia.get(order_url(order)).content.decode()
    assert "Will pick up at 5" in summary
    assert 'data-testid="calls"' in page


# ----------------------------------------------------------------------------------------------
# Shipments on the order page


def test_staff_record_a_shipment_from_the_order_page(as_olivia, make_order, ups):
    order = make_order("custom-production")
    response = as_olivia.post(
        order_url(order, "order_shipment"),
        {
            "version": order.version,
            "carrier": ups.pk,
            "tracking_number": "1Z 999",
            "estimated_delivery": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert shipment.tracking_url == "https://www.ups.com/track?tracknum=1Z%20999"
    page = as_olivia.get(order_url(order)).content.decode()
    assert 'data-testid="shipments"' in page
    assert "tracknum=1Z%20999" in page


def test_a_bad_shipment_form_changes_nothing(as_olivia, make_order, ups):
    order = make_order("custom-production")
    response = as_olivia.post(
        order_url(order, "order_shipment"),
        {"version": order.version, "carrier": ups.pk, "tracking_number": ""},
    )
    assert response.status_code == 400
    assert not Shipment.objects.exists()


def test_another_sellers_carrier_or_order_is_not_found(client, make_order, ups, rival, rita):
    order = make_order("custom-production")
    theirs = add_carrier(rival, name="Theirs", url_pattern=UPS, actor=Actor.staff(rita))
    client.force_login(rita.user)
    assert client.post(order_url(order, "order_shipment"), {"carrier": ups.pk}).status_code == 404
    client.force_login(order.seller.memberships.get(role="owner").user)
    response = client.post(
        order_url(order, "order_shipment"),
        {"version": order.version, "carrier": theirs.pk, "tracking_number": "X"},
    )
    assert response.status_code == 400
    assert not Shipment.objects.exists()


# ----------------------------------------------------------------------------------------------
# The seller settings page


SETTINGS = seller_url("seller_settings")


def _business(**changes: object) -> dict[str, object]:
    return {
        "name": "Acme Supplies",
        "time_zone": "America/New_York",
        "locale": "en",
        "currency": "USD",
        **changes,
    }


def test_an_owner_changes_the_business_settings(as_olivia, acme):
    response = as_olivia.post(
        SETTINGS, _business(name="Acme & Co", locale="fr", currency="cad", allow_backorders="on")
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.locale, acme.currency, acme.allow_backorders) == ("Acme & Co", "fr", "CAD", True)


def test_the_currency_is_read_only_once_orders_exist(as_olivia, acme, make_order, olivia):
    make_order("shop")
    page = as_olivia.get(SETTINGS).content.decode()
    assert 'data-testid="currency-locked"' in page
    as_olivia.post(SETTINGS, _business(currency="EUR"))
    acme.refresh_from_db()
    assert acme.currency == "USD"

    from orderflow.accounts.actions import update_seller
    from orderflow.core.errors import ActionError

    with pytest.raises(ActionError) as refused:
        update_seller(
            acme,
            actor=Actor.staff(olivia),
            name="Acme",
            time_zone="UTC",
            locale="en",
            currency="EUR",
            allow_backorders=False,
        )
    assert refused.value.code == "currency_locked"


@pytest.mark.parametrize(
    ("field", "value"), [("time_zone", "Mars/Olympus"), ("currency", "XYZ"), ("name", " "), ("locale", "de")]
)
def test_bad_business_settings_change_nothing(as_olivia, acme, field, value):
    response = as_olivia.post(SETTINGS, {**_business(name="Changed"), field: value})
    assert response.status_code == 400
    acme.refresh_from_db()
    assert acme.name == "Acme Supplies"


def test_the_shop_picks_pickup_or_delivery_on_the_settings_page(as_olivia, order_types):
    shop = order_types["shop"]
    response = as_olivia.post(
        seller_url("order_type_options", order_type_id=shop.pk), {"fulfilment": "delivery"}
    )
    assert response.status_code == 302
    shop = OrderType.objects.get(pk=shop.pk)
    assert shop.options == {"fulfilment": "delivery"}
    assert "ready_for_delivery" in shop.current_version.workflow.states
    response = as_olivia.post(
        seller_url("order_type_options", order_type_id=shop.pk), {"fulfilment": "by drone"}
    )
    assert response.status_code == 400
    assert OrderType.objects.get(pk=shop.pk).options == {"fulfilment": "delivery"}


def test_carriers_are_added_from_a_preset_or_by_hand_and_checked(as_olivia, acme):
    assert as_olivia.post(seller_url("carrier_add"), {"preset": "FedEx"}).status_code == 302
    by_hand = {"name": "Local courier", "url_pattern": "https://courier.example/t/{tracking}"}
    assert as_olivia.post(seller_url("carrier_add"), by_hand).status_code == 302
    bad = {"name": "Bad", "url_pattern": "http://courier.example/t/{tracking}"}
    assert as_olivia.post(seller_url("carrier_add"), bad).status_code == 400
    assert sorted(Carrier.objects.filter(seller=acme).values_list("name", flat=True)) == [
        "FedEx",
        "Local courier",
    ]


def test_staff_without_a_managers_role_cannot_open_the_settings(client, sam):
    client.force_login(sam.user)
    assert client.get(SETTINGS).status_code == 403
    assert client.post(seller_url("carrier_add"), {"preset": "UPS"}).status_code == 403
    assert not Carrier.objects.exists()


def test_another_sellers_settings_types_and_carriers_are_not_found(client, rita, order_types, ups):
    client.force_login(rita.user)
    assert client.get(SETTINGS).status_code == 404
    rival_settings = seller_url("seller_settings", seller_slug=rita.seller.slug)
    assert client.get(rival_settings).status_code == 200
    shop = order_types["shop"]
    options = seller_url("order_type_options", seller_slug=rita.seller.slug, order_type_id=shop.pk)
    assert client.post(options, {"fulfilment": "delivery"}).status_code == 404
    toggle = seller_url("carrier_toggle", seller_slug=rita.seller.slug, carrier_id=ups.pk)
    assert client.post(toggle).status_code == 404
    assert Carrier.objects.get(pk=ups.pk).is_active


def test_the_settings_page_reads_in_french(client, olivia, acme):
    client.force_login(olivia.user)
    olivia.language = "fr"
    olivia.save(update_fields=["language"])
    page = client.get(SETTINGS).content.decode()
    assert "Transporteurs" in page


# ----------------------------------------------------------------------------------------------
# Buttons worded for who sees them


def test_staff_approve_a_quote_on_the_customers_behalf_and_say_so(as_olivia, make_order):
    order = make_order("services-marketplace")
    page = as_olivia.get(order_url(order)).content.decode()
    workflow = order.workflow
    move = workflow.transition("pending_quotes", "approved")
    assert move is not None
    assert move.label("en") != move.customer_label("en")
    assert move.label("en") in page.replace("&#x27;", "'")
