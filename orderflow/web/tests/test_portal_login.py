"""Staff give a customer's contact a login to the customer portal from the order page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from orderflow.accounts.actions import add_contact, give_portal_login
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.core.errors import Forbidden
from orderflow.web.tests.conftest import order_url

GOOD = {"password1": "sunny-oak-door-42", "password2": "sunny-oak-door-42"}


def test_staff_give_the_contact_who_placed_the_order_a_portal_login(as_olivia, make_order, alice):
    order = make_order("shop")
    assert "Give Alice Martin a portal login" in as_olivia.get(order_url(order)).content.decode()

    response = as_olivia.post(order_url(order, "order_portal_login"), GOOD, follow=True)

    page = response.content.decode()
    assert "Alice Martin can now sign in to the customer portal as alice@cornerbar.example." in page
    alice.refresh_from_db()
    assert alice.user.username == "alice@cornerbar.example"
    assert alice.user.check_password(GOOD["password1"])
    assert not alice.user.is_staff
    assert "signs in to the customer portal as alice@cornerbar.example" in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"password1": "sunny-oak-door-42", "password2": "sunny-oak-door-43"}, "The two passwords differ"),
        ({"password1": "", "password2": ""}, "This field is required."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"password1": "password123", "password2": "password123"}, "This password is too common."),
    ],
)
def test_a_bad_password_is_refused_with_a_clear_message_and_gives_no_login(
    as_olivia, make_order, alice, form, message
):
    order = make_order("shop")

    response = as_olivia.post(order_url(order, "order_portal_login"), form)

    assert response.status_code == 400
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.user is None
    assert not User.objects.filter(username="alice@cornerbar.example").exists()


def test_a_second_login_for_the_same_contact_is_refused(as_olivia, make_order, alice):
    order = make_order("shop")
    give_portal_login(alice, password=PASSWORD, actor=Actor.system())

    response = as_olivia.post(order_url(order, "order_portal_login"), GOOD)

    assert response.status_code == 400
    assert "Alice Martin already has a portal login." in response.content.decode()


def test_another_sellers_staff_cannot_give_a_login(client, rita, make_order, alice):
    order = make_order("shop")
    client.force_login(rita.user)
    url = order_url(order, "order_portal_login").replace("/s/acme/", "/s/rival/")
    assert client.post(url, GOOD).status_code == 404
    with pytest.raises(Forbidden):
        give_portal_login(alice, password=GOOD["password1"], actor=Actor.staff(rita))
    alice.refresh_from_db()
    assert alice.user is None


def test_a_contact_cannot_give_themselves_or_a_colleague_a_login(alice, corner_bar):
    colleague = add_contact(corner_bar, name="Cole", email="cole@cornerbar.example")
    with pytest.raises(Forbidden):
        give_portal_login(colleague, password=GOOD["password1"], actor=Actor.customer(alice))
    colleague.refresh_from_db()
    assert colleague.user is None
