"""The customer's side of issue 11's loose ends: shipments on the tracking page and the portal's order
page, and buttons worded for the customer (never staff's "Resume work")."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from orderflow.core.actors import Actor
from orderflow.notifications import links
from orderflow.orders.actions import add_carrier, record_shipment
from orderflow.portal.tests.test_portal import path_of

UPS = "https://www.ups.com/track?tracknum={tracking}"


def _shipped(make_order, olivia, acme):
    order = make_order("custom-production")
    ups = add_carrier(acme, name="UPS", url_pattern=UPS, actor=Actor.staff(olivia))
    record_shipment(
        order,
        carrier=ups,
        tracking_number="1Z999AA1",
        estimated_delivery=timezone.localdate() + dt.timedelta(days=2),
        actor=Actor.staff(olivia),
    )
    return order


def test_the_tracking_page_shows_the_shipment_and_its_link(client, make_order, olivia, acme, alice):
    order = _shipped(make_order, olivia, acme)
    page = client.get(path_of(links.url("track", order=order.pk, contact=alice.pk))).content.decode()
    assert 'data-testid="shipments"' in page
    assert 'href="https://www.ups.com/track?tracknum=1Z999AA1"' in page


def test_the_portal_order_page_shows_the_shipment(as_alice, make_order, olivia, acme):
    order = _shipped(make_order, olivia, acme)
    page = as_alice.get(f"/my/orders/{order.number}/").content.decode()
    assert "1Z999AA1" in page


def test_another_customers_contact_cannot_see_the_shipment(client, make_order, olivia, acme, carla):
    order = _shipped(make_order, olivia, acme)
    client.force_login(carla.user)
    assert client.get(f"/my/orders/{order.number}/").status_code == 404


def test_a_customer_is_never_offered_resume_work(client, make_order, alice, olivia):
    # Given a marketplace order waiting for the partner (the customer)
    order = make_order("services-marketplace", path=("approved", "in_progress", "waiting_for_partner"))
    move = order.workflow.transition("waiting_for_partner", "in_progress")
    assert move is not None

    # When Alice opens it from her link
    page = client.get(path_of(links.url("track", order=order.pk, contact=alice.pk))).content.decode()
    buttons = re.findall(r'<button type="submit" class="button primary">([^<]*)</button>', page)

    # Then her button is worded for her, and staff's wording is not on her page
    assert move.customer_label("en").replace("'", "&#x27;") in buttons
    assert move.label("en") not in page


def test_the_customer_approves_the_quote_in_their_own_words_in_french(client, make_order, bruno):
    order = make_order("services-marketplace", contact=bruno)
    move = order.workflow.transition("pending_quotes", "approved")
    assert move is not None
    page = client.get(path_of(links.url("track", order=order.pk, contact=bruno.pk))).content.decode()
    assert move.customer_label("fr") in page
    assert move.label("fr") not in page
