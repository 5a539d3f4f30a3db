"""A contact's in-app inbox in the portal: only their own items, the unread badge on every page,
opening an item reads it and shows its order, mark all read."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from orderflow.core.actors import Actor
from orderflow.notifications.actions import set_preference
from orderflow.notifications.models import Category, InboxItem, Preference
from orderflow.orders.actions import transition_order
from orderflow.web.tests.conftest import DAYTIME, run_worker

INBOX = reverse("portal_inbox")
READ = reverse("portal_inbox_read")


def badge(response) -> int:
    match = re.search(r'data-testid="inbox-count">(\d+)<', response.content.decode())
    assert match, "the header shows the inbox badge"
    return int(match.group(1))


def in_app(contact) -> None:
    set_preference(
        contact,
        category=Category.ORDER_UPDATES,
        enabled=True,
        channels=["in_app"],
        actor=Actor.customer(contact),
    )


@pytest.fixture
def told(alice_login, carla, make_order, place_for, olivia):
    """Alice is told in-app of two status changes on her orders; Carla (another customer) of one."""
    in_app(alice_login)
    in_app(carla)
    with time_machine.travel(DAYTIME, tick=False):
        cake = transition_order(
            make_order("shop", title="Birthday cake"), to="in_preparation", actor=Actor.staff(olivia)
        )
        bread = transition_order(
            make_order("shop", title="Bread"), to="in_preparation", actor=Actor.staff(olivia)
        )
        beans = transition_order(
            place_for(carla, "Cafe beans"), to="in_preparation", actor=Actor.staff(olivia)
        )
        run_worker()
    return cake, bread, beans


def test_the_badge_counts_my_unread_items_on_every_portal_page(as_alice, told):
    cake, _, _ = told
    assert InboxItem.objects.filter(contact__email="alice@cornerbar.example").count() == 2

    for url in (reverse("portal_orders"), INBOX, reverse("portal_order", kwargs={"number": cake.number})):
        assert badge(as_alice.get(url)) == 2, url
    assert badge(as_alice.get(reverse("portal_my_preferences"))) == 2


def test_the_inbox_lists_only_my_items_newest_first(as_alice, told):
    page = as_alice.get(INBOX).content.decode()

    subjects = re.findall(r"<strong>([^<]+)</strong>", page)
    assert len(subjects) == 2
    assert "Cafe beans" not in page
    assert "Order #2" in subjects[0]  # Bread, the newer


def test_opening_an_item_marks_it_read_and_shows_its_order(as_alice, told, alice_login):
    cake, _, _ = told
    item = InboxItem.objects.get(contact=alice_login, order=cake)

    response = as_alice.post(READ, {"item": item.pk}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal_order", kwargs={"number": cake.number})
    item.refresh_from_db()
    assert item.read_at is not None
    assert badge(response) == 1


def test_someone_elses_item_cannot_be_opened_nor_marked(as_alice, told, carla):
    theirs = InboxItem.objects.get(contact=carla)

    assert as_alice.post(READ, {"item": theirs.pk}).status_code == 404
    as_alice.post(READ, {"all": "on"})

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_staff_items_are_never_in_a_contacts_inbox(as_alice, told, olivia):
    staff_item = InboxItem.objects.filter(membership=olivia).first()
    assert staff_item is not None  # new orders tell staff in-app

    assert str(staff_item.subject) not in as_alice.get(INBOX).content.decode()
    assert as_alice.post(READ, {"item": staff_item.pk}).status_code == 404
    staff_item.refresh_from_db()
    assert staff_item.read_at is None


def test_mark_all_read_clears_my_badge_only(as_alice, told, alice_login, carla):
    response = as_alice.post(READ, {"all": "on"}, follow=True)

    assert "2 messages marked as read." in response.content.decode()
    assert badge(response) == 0
    assert not InboxItem.objects.filter(contact=alice_login, read_at__isnull=True).exists()
    assert InboxItem.objects.filter(contact=carla, read_at__isnull=True).count() == 1


def test_an_empty_request_says_what_is_missing_and_marks_nothing(as_alice, told, alice_login):
    response = as_alice.post(READ, {}, follow=True)
    assert "Choose a message" in response.content.decode()
    assert InboxItem.objects.filter(contact=alice_login, read_at__isnull=True).count() == 2


def test_the_signed_in_settings_page_offers_in_app_and_saves(as_alice, alice_login):
    url = reverse("portal_my_preferences")
    page = as_alice.get(url).content.decode()
    assert 'value="in_app"' in page

    form = {f"{c.value}_on": "on" for c in Category} | {f"{c.value}_channels": ["in_app"] for c in Category}
    form |= {"use_seller_hours": "on"}
    response = as_alice.post(url, form, follow=True)

    assert "Your notification settings are saved." in response.content.decode()
    assert Preference.objects.get(contact=alice_login, category=Category.MESSAGES).channels == ["in_app"]
