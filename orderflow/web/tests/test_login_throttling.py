"""Login throttling with real requests: the common login page and the admin, per account at one
address and per address across accounts, the wait, and an owner lifting a lockout."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.utils import timezone

from orderflow.accounts.actions import create_portal_login, unlock_login
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.core.errors import Forbidden
from orderflow.web.tests.conftest import order_url, seller_url

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.9"


def sign_in(client, username, password, *, address=ATTACKER, path="/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_an_account_is_locked_out_at_one_address_after_five_failures_even_with_the_right_password(
    client, settings, sam
):
    codes = [sign_in(client, "sam", "wrong-guess").status_code for _ in range(settings.LOGIN_FAILURE_LIMIT)]
    assert codes == [200] * (settings.LOGIN_FAILURE_LIMIT - 1) + [429]

    response = sign_in(client, "sam", PASSWORD)
    assert response.status_code == 429
    assert "web/locked_out.html" in [t.name for t in response.templates]
    assert response.context["minutes"] == settings.LOGIN_COOLOFF_MINUTES
    assert not signed_in(client)

    # The same account from another address is not locked out
    other = Client()
    assert sign_in(other, "sam", PASSWORD, address=ELSEWHERE).status_code == 302
    assert signed_in(other)


def test_the_username_counts_whatever_its_case_and_spaces(client, settings, sam):
    for username in ["sam", "SAM", " Sam", "sam ", "sAm"]:
        sign_in(client, username, "wrong-guess")
    assert sign_in(client, "sam", PASSWORD).status_code == 429


def test_the_lockout_ends_after_the_cooling_off_and_each_try_meanwhile_restarts_it(client, settings, sam):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            sign_in(client, "sam", "wrong-guess")
        clock.move_to(start + dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES - 1))
        assert sign_in(client, "sam", PASSWORD).status_code == 429  # refused, and the wait starts again
        clock.move_to(start + dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES + 1))
        assert sign_in(client, "sam", PASSWORD).status_code == 429
        clock.move_to(start + dt.timedelta(minutes=2 * settings.LOGIN_COOLOFF_MINUTES + 2))
        assert sign_in(client, "sam", PASSWORD).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("tries", [60, pytest.param(1000, marks=pytest.mark.slow)])
def test_one_address_trying_many_passwords_across_accounts_is_stopped_early(
    client, settings, olivia, sam, tries
):
    # Given an address that tries 1,000 passwords, each for another account (two of them real)
    usernames = ["olivia", "sam"] + [f"guess{n}@example.com" for n in range(tries - 2)]
    with mock.patch.object(
        ModelBackend, "authenticate", autospec=True, side_effect=ModelBackend.authenticate
    ) as checked:
        codes = [sign_in(client, username, "wrong-guess").status_code for username in usernames]
        # then the right password of a real account is refused from there too
        assert sign_in(client, "olivia", PASSWORD).status_code == 429

    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert checked.call_count == limit  # only these tries reached the password hasher
    assert codes[: limit - 1] == [200] * (limit - 1)
    assert set(codes[limit - 1 :]) == {429}
    assert not signed_in(client)
    # while the accounts themselves still sign in from elsewhere
    assert sign_in(Client(), "olivia", PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_admin_login_is_throttled_the_same_way(client, settings, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = sign_in(client, "root", "wrong-guess", path="/admin/login/")
    assert response.status_code == 429
    assert sign_in(client, "root", PASSWORD, path="/admin/login/").status_code == 429
    assert not signed_in(client)


def test_an_owner_lifts_a_staff_members_lockout_from_the_team_page(client, settings, olivia, sam):
    # Given Sam is locked out
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "sam", "wrong-guess")
    owner = Client()
    owner.force_login(olivia.user)
    page = owner.get(seller_url("team"))
    assert page.status_code == 200
    assert [row.locked_until is not None for row in page.context["rows"] if row.membership == sam] == [True]

    # When Olivia lifts it
    response = owner.post(seller_url("team_unlock", member_id=sam.pk))
    assert response.status_code == 302

    # Then Sam signs in from the same address at once
    assert sign_in(client, "sam", PASSWORD).status_code == 302
    assert signed_in(client)


def test_only_an_owner_of_the_seller_lifts_a_lockout(client, settings, olivia, sam, max_manager, rita):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "olivia", "wrong-guess")
    for by in (sam, max_manager, rita):
        with pytest.raises(Forbidden):
            unlock_login(olivia, actor=Actor.staff(by))
    manager = Client()
    manager.force_login(max_manager.user)
    manager.post(seller_url("team_unlock", member_id=olivia.pk))
    assert sign_in(client, "olivia", PASSWORD).status_code == 429


def test_an_owner_lifts_a_contacts_lockout_from_the_order_page(client, settings, make_order, alice, olivia):
    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    order = make_order("shop")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, alice.email, "wrong-guess")
    owner = Client()
    owner.force_login(olivia.user)
    assert owner.get(order_url(order)).context["contact_login"]["locked_until"] is not None

    assert owner.post(order_url(order, "order_unlock_contact")).status_code == 302

    assert sign_in(client, alice.email, PASSWORD).status_code == 302
