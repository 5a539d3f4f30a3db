"""The signed-in customer portal: sign in, my orders, the order page, replies and customer changes.
A contact sees only their own customer's orders at their own seller, in customer words."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from orderflow.accounts.actions import add_staff
from orderflow.conftest import PASSWORD
from orderflow.conversations.models import Message
from orderflow.core.actors import Actor
from orderflow.orders.actions import assign_order, edit_internal_notes
from orderflow.orders.models import EventType

MY_ORDERS = reverse("portal_orders")


def order_page(order, name: str = "portal_order") -> str:
    return reverse(name, kwargs={"number": order.number})


def test_a_contact_signs_in_with_their_email_and_lands_on_their_orders(client, alice_login, make_order):
    make_order("shop", title="Birthday cake")

    response = client.post(
        reverse("login"), {"username": "alice@cornerbar.example", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == MY_ORDERS
    page = response.content.decode()
    assert "Birthday cake" in page
    assert 'data-testid="inbox-count">0<' in page
    assert "Seller workspace" not in page  # a customer only


def test_a_wrong_password_says_so_and_signs_nobody_in(client, alice_login):
    response = client.post(reverse("login"), {"username": "alice@cornerbar.example", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get(MY_ORDERS).status_code == 302  # still asked to sign in


@pytest.mark.parametrize(
    "url",
    [
        reverse("dashboard", kwargs={"seller_slug": "acme"}),
        reverse("inbox", kwargs={"seller_slug": "acme"}),
        reverse("outbox", kwargs={"seller_slug": "acme"}),
        reverse("notification_settings", kwargs={"seller_slug": "acme"}),
    ],
)
def test_staff_pages_refuse_a_contact(as_alice, url):
    assert as_alice.get(url).status_code == 404


def test_staff_order_pages_refuse_a_contact_even_for_their_own_order(as_alice, make_order):
    order = make_order("shop")
    url = reverse("order_detail", kwargs={"seller_slug": "acme", "number": order.number})
    assert as_alice.get(url).status_code == 404
    assert as_alice.post(f"{url}messages/", {"body": "hello"}).status_code == 404
    assert not Message.objects.exists()


def test_staff_without_a_portal_login_who_open_the_portal_land_in_their_workspace(client, olivia):
    client.force_login(olivia.user)
    for url in (MY_ORDERS, reverse("portal_inbox"), reverse("portal_my_preferences")):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("home")), url


def test_portal_pages_refuse_a_login_that_is_neither_staff_nor_a_contact(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x-unused-9"))
    assert client.get(MY_ORDERS).status_code == 404


def test_a_contacts_settings_offer_only_what_customers_are_told_about(as_alice):
    response = as_alice.get(reverse("portal_my_preferences"))
    assert response.status_code == 200
    fields = set(response.context["form"].fields)
    assert {"order_updates_on", "messages_on", "feedback_on", "marketing_on"} <= fields
    assert not {"new_orders_on", "assignments_on", "new_orders_channels", "assignments_channels"} & fields


def test_someone_both_staff_and_contact_chooses_and_each_side_acts_as_itself(
    client, acme, alice_login, make_order
):
    # Given Alice's login is also staff of Acme
    membership = add_staff(acme, username=alice_login.user.username, password=None, role="staff")
    order = make_order("shop", title="Birthday cake")
    client.force_login(alice_login.user)

    # she is offered both places instead of being sent to one
    home = client.get(reverse("home")).content.decode()
    assert f'href="{MY_ORDERS}"' in home
    assert reverse("dashboard", kwargs={"seller_slug": "acme"}) in home

    # and replying from the portal speaks as the customer, never as staff
    client.post(order_page(order), {"body": "Candles too, please"})
    assert "Seller workspace" in client.get(MY_ORDERS).content.decode()  # and back, from the portal
    message = Message.objects.get()
    assert (message.author_kind, message.author_contact, message.author_membership) == (
        "customer",
        alice_login,
        None,
    )
    assert membership.is_active


def test_my_orders_lists_only_my_customers_orders_in_customer_words_latest_first(
    as_alice, make_order, olivia, bruno, carla, oscar, place_for, rival_shop
):
    confirmed = make_order("distributor", title="Weekend restock", path=("confirmed",))
    edit_internal_notes(confirmed, notes="Customer owes us money", actor=Actor.staff(olivia))
    assign_order(confirmed, assignee=olivia, actor=Actor.staff(olivia))
    by_bruno = place_for(bruno, "Bruno's bread")  # a colleague's order: the same customer's
    place_for(carla, "Cafe beans")  # another customer of Acme
    place_for(oscar, "Rival beans", order_type=rival_shop)  # another seller's customer

    page = as_alice.get(MY_ORDERS).content.decode()

    assert "Order received" in page  # the customer's label of "confirmed"
    assert not re.search(r">\s*Confirmed\s*<", page)  # never the staff label
    assert "owes us money" not in page
    assert "Olivia" not in page
    assert "Cafe beans" not in page
    assert "Rival beans" not in page
    assert page.index("Bruno&#x27;s bread") < page.index("Weekend restock")  # latest activity first
    assert f'href="{order_page(by_bruno)}"' in page


def test_my_orders_are_paginated(as_alice, alice, place_for):
    for n in range(22):
        place_for(alice, f"Order number {n}")

    first = as_alice.get(MY_ORDERS).content.decode()
    second = as_alice.get(f"{MY_ORDERS}?page=2").content.decode()

    assert "Page 1 of 2" in first
    assert "Order number 21" in first
    assert "Order number 1<" not in first
    assert "Order number 1<" in second
    assert "Order number 0" in second


def test_the_signed_in_order_page_is_the_tracking_page_without_internals(as_alice, make_order, olivia):
    order = make_order("distributor", title="Weekend restock", path=("confirmed",))
    edit_internal_notes(order, notes="Customer owes us money", actor=Actor.staff(olivia))
    assign_order(order, assignee=olivia, actor=Actor.staff(olivia))

    response = as_alice.get(order_page(order))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="customer-status">Order received<' in page
    assert "Crate of lemonade" in page
    assert "owes us money" not in page
    assert "Assigned" not in page
    assert "Olivia" not in page
    assert "notification-trace" not in page
    assert reverse("portal_my_preferences") in page  # its links stay inside the portal


def test_another_customers_order_is_not_found(as_alice, carla, oscar, place_for, rival_shop, make_order):
    mine = make_order("shop")
    cafe = place_for(carla, "Cafe beans")
    place_for(oscar, "Rival 1", order_type=rival_shop)
    place_for(oscar, "Rival 2", order_type=rival_shop)
    rivals = place_for(oscar, "Rival 3", order_type=rival_shop)  # number 3: no such order at Acme

    assert as_alice.get(order_page(mine)).status_code == 200
    for order in (cafe, rivals):
        for name in ("portal_order", "portal_order_rate", "portal_order_delivery"):
            assert as_alice.get(order_page(order, name)).status_code == 404
        assert as_alice.post(order_page(order), {"body": "Hello"}).status_code == 404
        assert as_alice.post(order_page(order, "portal_order_cancel"), {"version": 1}).status_code == 404
    assert not Message.objects.exists()


def test_a_contact_replies_on_the_thread_and_an_empty_reply_changes_nothing(as_alice, make_order, olivia):
    from orderflow.conversations.actions import post_message

    order = make_order("shop", title="Birthday cake")
    post_message(order, body="Which flavour?", actor=Actor.staff(olivia))
    post_message(order, body="Staff only: she is late paying", internal=True, actor=Actor.staff(olivia))

    empty = as_alice.post(order_page(order), {"body": "   "})
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    assert Message.objects.filter(author_kind="customer").count() == 0

    response = as_alice.post(order_page(order), {"body": "Chocolate, please"}, follow=True)

    page = response.content.decode()
    assert "Your message was sent." in page
    assert "Which flavour?" in page
    assert "Chocolate, please" in page
    assert "late paying" not in page
    assert order.events.filter(type=EventType.MESSAGE, actor_contact=order.placed_by).exists()


def test_a_contact_cancels_where_the_workflow_lets_customers_and_a_stale_page_changes_nothing(
    as_alice, make_order
):
    order = make_order("distributor", title="Weekend restock")
    page = as_alice.get(order_page(order)).content.decode()
    assert "Cancel order #1" in page

    stale = as_alice.post(
        order_page(order, "portal_order_cancel"), {"version": order.version + 5}, follow=True
    )
    assert "changed" in stale.content.decode().lower()
    order.refresh_from_db()
    assert order.state_category != "cancelled"

    response = as_alice.post(
        order_page(order, "portal_order_cancel"), {"version": order.version}, follow=True
    )

    assert "Your order is cancelled." in response.content.decode()
    order.refresh_from_db()
    assert order.state_category == "cancelled"
    assert order.events.get(type=EventType.CANCELLED).actor_kind == "customer"


def test_no_cancel_button_once_the_customer_may_no_longer_cancel(as_alice, make_order):
    order = make_order("distributor", path=("confirmed",))
    assert "Cancel order" not in as_alice.get(order_page(order)).content.decode()
    response = as_alice.post(order_page(order, "portal_order_cancel"), {"version": order.version})
    assert response.status_code == 409
    assert "can no longer be cancelled by you" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "confirmed"


def test_the_customer_takes_their_step_of_the_workflow_from_the_order_page(as_alice, make_order):
    order = make_order("services-marketplace", title="Solar install")
    page = as_alice.get(order_page(order)).content.decode()
    assert ">Approve quote</button>" in page
    assert ">Approve quote on the customer's behalf<" not in page  # staff's words, not the customer's

    as_alice.post(order_page(order, "portal_order_move"), {"version": order.version, "to": "approved"})

    order.refresh_from_db()
    assert order.state == "approved"
    assert order.events.get(to_state="approved").actor_kind == "customer"


def test_terms_are_accepted_on_the_approval_page_not_by_a_bare_button(as_alice, make_order):
    # The quote-to-order preset's "Terms accepted" is made by accepting a confirmation (quotes, 003).
    order = make_order("quote-to-order", title="Solar install", path=("confirmation_sent",))
    page = as_alice.get(order_page(order)).content.decode()
    assert ">Terms accepted</button>" not in page
    assert ">Progress quote<" not in page
    refused = as_alice.post(
        order_page(order, "portal_order_move"), {"version": order.version, "to": "quote_drafted"}
    )
    assert refused.status_code == 403  # "Revise quote" is staff's
    order.refresh_from_db()
    assert order.state == "confirmation_sent"


def test_the_tracking_link_shows_the_same_page_and_actions_without_signing_in(client, make_order, alice):
    from orderflow.notifications import links

    order = make_order("distributor", title="Weekend restock")
    track = re.sub(r"^https?://[^/]+", "", links.url("track", order=order.pk, contact=alice.pk))

    page = client.get(track).content.decode()
    assert "Cancel order #1" in page
    assert "My orders" not in page  # no portal menu: nobody signed in
    assert f'action="{track}cancel/"' in page

    client.post(f"{track}cancel/", {"version": order.version, "reason": "Ordered twice"})

    order.refresh_from_db()
    assert order.state_category == "cancelled"
    assert order.cancel_reason == "Ordered twice"
