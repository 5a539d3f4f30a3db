"""Staff record shipments: carriers per seller with a checked tracking address, the tracking number
URL-encoded into it, the change logged and the customer told through the "shipped" trigger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.models import Delivery, Notification
from orderflow.notifications.render import render
from orderflow.orders.actions import add_carrier, record_shipment, set_carrier_active, tracking_url
from orderflow.orders.models import Carrier, EventType, Shipment

UPS = "https://www.ups.com/track?tracknum={tracking}"


@pytest.fixture
def ups(acme, olivia) -> Carrier:
    return add_carrier(acme, name="UPS", url_pattern=UPS, actor=Actor.staff(olivia))


@pytest.mark.parametrize(
    "pattern",
    [
        "http://www.ups.com/track?tracknum={tracking}",  # not https
        "https://www.ups.com/track",  # no placeholder
        "https://{tracking}.example.com/",  # the number would choose the host
        "https://www.ups.com/track?n={tracking}&k={key}",  # another placeholder
        "javascript:alert(1)//{tracking}",
        "https:///{tracking}",  # no host
    ],
)
def test_a_tracking_address_must_be_https_with_the_placeholder(acme, olivia, pattern):
    with pytest.raises(ActionError) as refused:
        add_carrier(acme, name="Shady", url_pattern=pattern, actor=Actor.staff(olivia))
    assert (refused.value.code, refused.value.details) == ("invalid", {"field": "url_pattern"})
    assert not Carrier.objects.exists()


def test_only_owners_and_managers_configure_carriers_and_names_are_unique(acme, olivia, sam, ups):
    with pytest.raises(ActionError) as refused:
        add_carrier(acme, name="FedEx", url_pattern=UPS, actor=Actor.staff(sam))
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionError) as duplicate:
        add_carrier(acme, name="UPS", url_pattern=UPS, actor=Actor.staff(olivia))
    assert duplicate.value.code == "duplicate"
    assert list(Carrier.objects.values_list("name", flat=True)) == ["UPS"]


def test_the_tracking_number_is_url_encoded_into_the_address():
    url = tracking_url("https://t.example/track?n={tracking}", "1Z 99/9&x=#y")
    assert url == "https://t.example/track?n=1Z%2099%2F9%26x%3D%23y"


def test_a_shipment_is_logged_and_tells_the_contact(
    make_order, olivia, alice, ups, django_capture_on_commit_callbacks
):
    # Given a custom-production order (its workflow tells the contact when it ships)
    order = make_order("custom-production")
    expected = dt.date.today() + dt.timedelta(days=3)

    # When Olivia records a shipment
    with django_capture_on_commit_callbacks(execute=True):
        shipment = record_shipment(
            order,
            carrier=ups,
            tracking_number="1Z999AA1",
            estimated_delivery=expected,
            actor=Actor.staff(olivia),
        )

    # Then the shipment is kept with its link, the log says so, and Alice is to be told
    assert shipment.tracking_url == "https://www.ups.com/track?tracknum=1Z999AA1"
    event = order.events.get(type=EventType.SHIPPED)
    assert event.data["tracking_url"] == shipment.tracking_url
    assert event.data["estimated_delivery"] == expected.isoformat()
    notification = Notification.objects.get(event=event, contact=alice)
    assert notification.template == "order_shipped"
    assert Delivery.objects.filter(notification=notification).exists()

    # And the message carries the carrier, the tracking link and the date, in English and in French
    rendered = render(notification)
    assert shipment.tracking_url in rendered.text
    assert "UPS" in rendered.subject + rendered.text
    notification.locale = "fr"
    french = render(notification)
    assert shipment.tracking_url in french.text
    assert "expédiée" in french.subject


def test_an_order_may_have_several_shipments(make_order, olivia, ups):
    order = make_order("custom-production")
    for number in ("A1", "A2"):
        record_shipment(order, carrier=ups, tracking_number=number, actor=Actor.staff(olivia))
    assert list(order.shipments.values_list("tracking_number", flat=True)) == ["A1", "A2"]


@pytest.mark.parametrize(
    ("tracking", "field"),
    [("", "tracking_number"), ("x" * 61, "tracking_number"), ("AB\x07C", "tracking_number")],
)
def test_a_bad_tracking_number_changes_nothing(make_order, olivia, ups, tracking, field):
    order = make_order("custom-production")
    with pytest.raises(ActionError) as refused:
        record_shipment(order, carrier=ups, tracking_number=tracking, actor=Actor.staff(olivia))
    assert refused.value.details == {"field": field}
    assert not Shipment.objects.exists()
    assert not order.events.filter(type=EventType.SHIPPED).exists()


def test_another_sellers_or_a_withdrawn_carrier_is_refused(make_order, olivia, ups, rival, rita):
    order = make_order("custom-production")
    theirs = add_carrier(rival, name="Theirs", url_pattern=UPS, actor=Actor.staff(rita))
    set_carrier_active(ups, active=False, actor=Actor.staff(olivia))
    for carrier in (theirs, ups):
        with pytest.raises(ActionError) as refused:
            record_shipment(order, carrier=carrier, tracking_number="1Z", actor=Actor.staff(olivia))
        assert refused.value.details == {"field": "carrier"}
    assert not Shipment.objects.exists()


def test_the_customer_and_other_sellers_staff_cannot_record_a_shipment(make_order, alice, rita, ups):
    order = make_order("custom-production")
    for actor in (Actor.customer(alice), Actor.staff(rita)):
        with pytest.raises(ActionError) as refused:
            record_shipment(order, carrier=ups, tracking_number="1Z", actor=actor)
        assert refused.value.code == "forbidden"
    assert not Shipment.objects.exists()


def test_an_estimated_delivery_before_the_order_is_refused(make_order, olivia, ups):
    order = make_order("custom-production")
    with pytest.raises(ActionError) as refused:
        record_shipment(
            order,
            carrier=ups,
            tracking_number="1Z",
            estimated_delivery=dt.date(2000, 1, 1),
            actor=Actor.staff(olivia),
        )
    assert refused.value.details == {"field": "estimated_delivery"}


def test_refusals_are_in_french_for_a_french_reader(acme, olivia):
    messages = {}
    for language in ("en", "fr"):
        with translation.override(language), pytest.raises(ActionError) as refused:
            add_carrier(acme, name="X", url_pattern="http://x.example/{tracking}", actor=Actor.staff(olivia))
        assert refused.value.code == "invalid"
        messages[language] = refused.value.message
    assert messages["fr"] != messages["en"]
