"""A customer reads money, dates and times their way, in their own time zone with its name: on the
portal's order page and on the tracking page a message's link opens (signed out), whatever the
browser asks for."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from orderflow.accounts.actions import create_portal_login
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.notifications import links
from orderflow.notifications.models import LinkPurpose
from orderflow.orders.actions import refund_order, set_estimated_completion
from orderflow.web.tests.test_reader_formatting import ISO_DATE, text_of

REFUNDED_AT = dt.datetime(2026, 12, 3, 19, 5, tzinfo=dt.UTC)


@pytest.fixture
def refunded(maple_order, chloe):
    set_estimated_completion(maple_order, date=dt.date(2026, 12, 5), actor=Actor.staff(chloe))
    with time_machine.travel(REFUNDED_AT, tick=False):
        refund_order(maple_order, amount="7.25", reason="Bouteille cassée", actor=Actor.staff(chloe))
    return maple_order


def assert_french(text: str) -> None:
    assert "Remboursement de 7,25\xa0$\xa0CA" in text
    assert "2 déc. 2026, 10 h 30 HNE" in text  # placed, in Manon's zone with its name
    assert "3 déc. 2026, 14 h 05 HNE" in text  # refunded
    assert "Date de fin prévue\xa0: 5 déc. 2026" in text
    assert re.search(r"\s1,5\s", text)  # the syrup's quantity
    assert "CAD" not in text
    assert not ISO_DATE.search(text), ISO_DATE.search(text)


def test_the_portals_order_page_is_in_the_contacts_money_and_time(client, manon, refunded):
    create_portal_login(manon, password=PASSWORD, actor=Actor.system())
    client.force_login(manon.user)

    response = client.get(
        reverse("portal_order", kwargs={"number": refunded.number}), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert_french(text_of(response.content.decode()))


def test_a_tracking_link_shows_the_contacts_money_and_time_signed_out(client, manon, refunded):
    url = links.url(LinkPurpose.TRACK, contact=manon, order=refunded.pk)

    response = client.get(re.sub(r"^https?://[^/]+", "", url), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert_french(text_of(response.content.decode()))


def test_a_contact_elsewhere_reads_the_same_order_in_their_own_zone(client, manon, refunded):
    # Given Manon moved to Paris and reads in English
    manon.time_zone, manon.locale = "Europe/Paris", "en"
    manon.save(update_fields=["time_zone", "locale"])
    url = links.url(LinkPurpose.TRACK, contact=manon, order=refunded.pk)

    text = text_of(client.get(re.sub(r"^https?://[^/]+", "", url)).content.decode())

    assert "Refund of CA$7.25" in text
    assert "Dec 2, 2026, 4:30\u202fPM CET" in text  # placed at 10:30 in Toronto
    assert "Dec 5, 2026" in text


def test_delivery_slots_name_their_day_in_the_contacts_language_and_zone(client, make_order, bruno):
    # Given an order of a New York seller waiting for a delivery time, opened by Bruno (French, Paris)
    # on Wednesday June 10, 2026
    with time_machine.travel(dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC), tick=False):
        order = make_order(
            "custom-production",
            path=("measurements", "design_agreed", "materials_selected", "in_production", "packed"),
        )
        url = re.sub(r"^https?://[^/]+", "", links.url("delivery", order=order.pk, contact=bruno.pk))
        page = client.get(url).content.decode()
        # When he books the first slot offered
        slot = re.search(r'name="slot" value="([^"]+)"', page).group(1)
        booked = client.post(url, {"slot": slot}, follow=True).content.decode()

    # Then the slots were offered with French day names, in Paris time (New York's 09:00 is 15 h 00)
    labels = text_of(page)
    assert "jeudi 11 juin 2026, à partir de 15 h 00 CEST" in labels
    assert "vendredi 12 juin 2026, à partir de 20 h 00 CEST" in labels
    assert "Thursday" not in labels
    assert "America/New_York" not in labels
    # and the booking reads the same way on his order page
    assert "Livraison réservée pour le jeudi 11 juin 2026, 15 h 00 CEST." in text_of(booked)
    assert "Moment de livraison choisi : jeudi 11 juin 2026, 15 h 00 CEST" in text_of(booked).replace(
        "\xa0", " "
    )
