"""Who may reach which page: sign-in, the landing page, and one seller never seeing another's data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orderflow.accounts.actions import add_staff
from orderflow.accounts.models import Membership
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.orders.actions import LineInput, place_order
from orderflow.web.tests.conftest import order_url
from orderflow.workflows.actions import install_order_type

POST_ACTIONS = [
    ("order_transition", {}),
    ("order_assign", {}),
    ("order_estimate", {}),
    ("order_notes", {}),
    ("order_line", {"position": 1}),
    ("order_line_add", {}),
    ("order_line_remove", {"position": 1}),
    ("order_cancel", {}),
    ("order_refund", {}),
    ("order_archive", {}),
]


@pytest.fixture
def acme_order(make_order, olivia):
    return make_order("distributor")


def test_login_page_signs_staff_in_and_lands_on_their_sellers_orders(client, olivia):
    assert client.get(reverse("login")).status_code == 200

    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("dashboard", kwargs={"seller_slug": "acme"})
    assert b"Manage orders" in response.content


def test_wrong_password_is_refused_with_a_message(client, olivia):
    response = client.post(reverse("login"), {"username": "olivia", "password": "nope"})

    assert response.status_code == 200
    assert b"enter a correct username and password" in response.content


def test_logout_is_a_post_and_returns_to_login(as_olivia):
    response = as_olivia.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert as_olivia.get(reverse("dashboard", kwargs={"seller_slug": "acme"})).status_code == 302


def test_staff_of_several_sellers_choose_one(client, olivia, rival):
    add_staff(rival, username="olivia", password=None, role="staff")
    client.force_login(olivia.user)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert b"Choose a seller" in response.content
    assert b'href="/s/acme/orders/"' in response.content
    assert b'href="/s/rival/orders/"' in response.content


def test_a_user_without_a_seller_is_told_so(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))

    response = client.get(reverse("home"))

    assert b"not staff of any seller" in response.content


def test_anonymous_visitors_are_sent_to_login(client, acme_order):
    for url in [reverse("home"), reverse("dashboard", kwargs={"seller_slug": "acme"}), order_url(acme_order)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    for name, extra in POST_ACTIONS:
        response = client.post(order_url(acme_order, name, **extra), {"version": acme_order.version})
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_another_sellers_owner_gets_404_on_every_acme_url(client, rita, acme_order):
    client.force_login(rita.user)

    assert client.get("/s/acme/").status_code == 404
    assert client.get(reverse("dashboard", kwargs={"seller_slug": "acme"})).status_code == 404
    assert client.get(order_url(acme_order)).status_code == 404
    for name, extra in POST_ACTIONS:
        url = order_url(acme_order, name, **extra)
        payload = {"version": acme_order.version, "to": "confirmed", "amount": "1", "reason": "x"}
        assert client.post(url, payload).status_code == 404, name
        assert client.get(url).status_code == 404, name
    # Given all that, nothing happened to the order (not even "seen").
    acme_order.refresh_from_db()
    assert (acme_order.state, acme_order.seen_at, acme_order.events.count()) == ("sent", None, 1)


def test_acme_staff_cannot_see_rivals_orders(client, sam, rita, rival, rival_customer, acme_order):
    # Given Rival has its own order number 1, the same number as Acme's
    order_type = install_order_type(rival, preset="distributor", actor=Actor.system())
    rival_order = place_order(
        rival_customer,
        order_type=order_type,
        actor=Actor.system(),
        title="Rival secret",
        lines=[LineInput("X")],
    )
    assert rival_order.number == acme_order.number == 1
    client.force_login(sam.user)

    assert client.get(reverse("dashboard", kwargs={"seller_slug": "rival"})).status_code == 404
    assert client.get(order_url(rival_order)).status_code == 404
    acme_list = client.get(reverse("dashboard", kwargs={"seller_slug": "acme"}))
    acme_page = client.get(order_url(acme_order))
    assert b"Rival secret" not in acme_list.content
    assert b"Rival secret" not in acme_page.content
    assert b"Crate of lemonade" in acme_page.content


def test_an_inactive_membership_opens_nothing(client, sam, acme_order):
    # No action deactivates staff yet, so the flag is set directly.
    Membership.objects.filter(pk=sam.pk).update(is_active=False)
    client.force_login(sam.user)

    assert client.get(reverse("dashboard", kwargs={"seller_slug": "acme"})).status_code == 404
    assert client.get(order_url(acme_order)).status_code == 404


def test_unknown_order_number_is_404(as_olivia, acme_order):
    assert (
        as_olivia.get(reverse("order_detail", kwargs={"seller_slug": "acme", "number": 999})).status_code
        == 404
    )


def test_seller_root_leads_to_the_order_list(as_olivia):
    response = as_olivia.get("/s/acme/")

    assert response["Location"] == reverse("dashboard", kwargs={"seller_slug": "acme"})
