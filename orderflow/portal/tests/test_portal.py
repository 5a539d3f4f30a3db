from __future__ import annotations

import re

import pytest

from orderflow.core.actors import Actor
from orderflow.notifications import links
from orderflow.notifications.models import Category, DeliverySchedule, Feedback, Notification, Preference
from orderflow.notifications.render import render
from orderflow.orders.actions import assign_order, edit_internal_notes, transition_order
from orderflow.orders.models import EventType


@pytest.fixture
def shipped_doors(make_order):
    return make_order(
        "custom-production",
        path=("measurements", "design_agreed", "materials_selected", "in_production", "packed", "shipped"),
    )


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_tracking_page_shows_the_customer_status_and_never_internal_notes(client, make_order, alice, sam):
    order = make_order("distributor", path=("confirmed",))
    edit_internal_notes(order, notes="Customer owes us money", actor=Actor.staff(sam))
    assign_order(order, assignee=sam, actor=Actor.staff(sam))

    response = client.get(path_of(links.url("track", order=order.pk, contact=alice.pk)))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Order received" in page  # the customer's label for "confirmed"
    assert "Crate of lemonade" in page
    assert "owes us money" not in page
    assert "Assigned" not in page


def test_a_damaged_link_is_refused_and_says_why(client, make_order, alice):
    order = make_order("shop")
    good = links.token("track", order=order.pk, contact=alice.pk)
    response = client.get(f"/t/{good[:-3]}xyz/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_a_link_made_for_another_purpose_is_refused(client, make_order, alice):
    order = make_order("shop")
    rate_token = links.token("rate", order=order.pk, contact=alice.pk)
    assert client.get(f"/t/{rate_token}/").status_code == 404


def test_a_link_pairing_an_order_with_someone_elses_contact_is_refused(client, make_order, rival_customer):
    from orderflow.accounts.actions import add_contact

    outsider = add_contact(rival_customer, name="Oscar", email="oscar@rival.example")
    order = make_order("shop")
    response = client.get(path_of(links.url("track", order=order.pk, contact=outsider.pk)))
    assert response.status_code == 404
    assert "no longer points to an order of yours" in response.content.decode()


def test_a_customer_rates_a_delivered_order_once(client, shipped_doors, alice, olivia):
    order = transition_order(shipped_doors, to="delivered", actor=Actor.staff(olivia))
    url = path_of(links.url("rate", order=order.pk, contact=alice.pk))

    assert client.post(url, {"rating": "9"}).status_code == 400
    response = client.post(url, {"rating": "4", "comment": "Lovely doors"}, follow=True)

    assert "Thank you for your feedback" in response.content.decode()
    feedback = Feedback.objects.get(order=order)
    assert (feedback.rating, feedback.comment, feedback.contact) == (4, "Lovely doors", alice)
    assert order.events.filter(type=EventType.FEEDBACK, data__rating=4).exists()
    again = client.post(url, {"rating": "1"})
    assert "already rated 4/5" in again.content.decode()
    assert Feedback.objects.get(order=order).rating == 4


def test_rating_an_unfinished_order_is_refused(client, shipped_doors, alice):
    response = client.post(
        path_of(links.url("rate", order=shipped_doors.pk, contact=alice.pk)), {"rating": "5"}
    )
    assert "once the order is complete" in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_customer_chooses_a_delivery_time_from_the_offered_slots(client, make_order, alice):
    order = make_order(
        "custom-production",
        path=("measurements", "design_agreed", "materials_selected", "in_production", "packed"),
    )
    url = path_of(links.url("delivery", order=order.pk, contact=alice.pk))
    page = client.get(url).content.decode()
    first_slot = re.search(r'name="slot" value="([^"]+)"', page).group(1)

    assert client.post(url, {"slot": "2001-01-01T09:00:00+00:00"}).status_code == 400
    response = client.post(url, {"slot": first_slot}, follow=True)

    assert "your delivery time is booked" in response.content.decode()
    event = order.events.get(type=EventType.DELIVERY_TIME)
    assert event.data["slot"] == first_slot


def test_preferences_are_saved_together_and_bad_hours_save_nothing(client, alice):
    url = path_of(links.url("prefs", contact=alice.pk))
    form = {f"{c.value}_on": "on" for c in Category} | {f"{c.value}_channels": ["email"] for c in Category}
    form["order_updates_on"] = ""  # turn status updates off
    form |= {f"day_{d}": "08:00-20:00" for d in range(7)}

    bad = client.post(url, form | {"day_2": "8h-20h"})
    assert bad.status_code == 400
    assert "Wednesday" in bad.content.decode()
    assert not Preference.objects.filter(contact=alice).exists()

    client.post(url, form)
    assert not Preference.objects.get(contact=alice, category=Category.ORDER_UPDATES).enabled
    assert Preference.objects.get(
        contact=alice, category=Category.TRANSACTIONAL
    ).enabled  # cannot be turned off
    assert DeliverySchedule.objects.get(contact=alice).schedule["2"] == [[480, 1200]]


def test_the_preferences_page_offers_only_the_channels_a_person_can_have(client, alice):
    url = path_of(links.url("prefs", contact=alice.pk))
    page = client.get(url).content.decode()
    offered = set(re.findall(r'name="order_updates_channels" value="([^"]+)"', page))
    assert offered == {"email", "sms", "messenger", "call"}  # no webhook; in-app needs a portal login
    assert "Phone call" in page

    form = {f"{c.value}_on": "on" for c in Category} | {"use_seller_hours": "on"}
    refused = client.post(url, form | {"order_updates_channels": ["webhook"]})
    assert refused.status_code == 400
    assert not Preference.objects.filter(contact=alice).exists()


def test_one_click_unsubscribe_stops_offers_without_a_form(make_order, alice, olivia):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    url = path_of(links.url("unsubscribe", contact=alice.pk))
    response = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Preference.objects.get(contact=alice, category=Category.MARKETING).enabled


def test_an_upsell_carries_one_click_unsubscribe_headers_until_the_customer_opts_out(
    make_order, alice, olivia
):
    from orderflow.notifications.models import NotificationRule

    NotificationRule.objects.filter(state="in_preparation").update(upsell="Add gift wrapping for 2 EUR.")
    order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
    notification = Notification.objects.get(order=order, contact=alice, template="status_changed")

    rendered = render(notification)
    assert "gift wrapping" in rendered.text
    assert rendered.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    Preference.objects.create(contact=alice, category=Category.MARKETING, enabled=False)
    rendered = render(notification)
    assert "gift wrapping" not in rendered.text
    assert "List-Unsubscribe" not in rendered.headers


def test_every_link_in_a_message_opens_its_page(client, shipped_doors, alice, olivia):
    order = transition_order(shipped_doors, to="delivered", actor=Actor.staff(olivia))
    feedback_request = Notification.objects.get(order=order, contact=alice, template="feedback_request")
    rendered = render(feedback_request)
    urls = set(re.findall(r"https?://\S+/", rendered.text))
    assert len(urls) >= 2  # rate, preferences
    for url in urls:
        assert client.get(path_of(url)).status_code == 200, url


def test_a_french_contact_gets_the_french_message(make_order, bruno, olivia):
    order = make_order("shop", contact=bruno)
    order = transition_order(order, to="ready_for_pickup", actor=Actor.staff(olivia))
    notification = Notification.objects.get(order=order, contact=bruno, template="status_changed")
    rendered = render(notification)
    assert rendered.subject == f"Commande n° {order.number} : Prête à être ramassée"
    assert "Bruno Petit" in rendered.text


@pytest.mark.parametrize("prefix", ["p", "u"])
def test_settings_links_refuse_a_damaged_token_and_change_nothing(client, alice, prefix):
    response = client.post(f"/{prefix}/not-a-real-token/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    assert not Preference.objects.filter(contact=alice).exists()
