"""API tokens belong to a member: who may make one and for whom, when it stops working and why, and what
happened to the tokens that existed before."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from orderflow.accounts.actions import add_staff, deactivate_staff
from orderflow.accounts.models import Membership, Role
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.integrations.actions import create_api_token, hash_token, revoke_api_token
from orderflow.integrations.models import ApiToken, TokenState

migration = importlib.import_module("orderflow.integrations.migrations.0002_tokens_belong_to_members")


@pytest.fixture
def max_(acme) -> Membership:
    return add_staff(acme, username="max", password=PASSWORD, first_name="Max", role=Role.MANAGER)


def _state(token: ApiToken) -> TokenState:
    return ApiToken.objects.select_related("membership__user").get(pk=token.pk).state


# ----------------------------------------------------------------------------------------------
# Who may make a token, for whom


def test_a_token_made_on_the_page_acts_as_the_manager_who_makes_it(acme, max_):
    token, _ = create_api_token(acme, name="ERP", scope="read_write", actor=Actor.staff(max_))
    assert (token.membership, token.created_by) == (max_, max_.user)
    assert _state(token) == TokenState.ACTIVE


def test_staff_cannot_make_tokens(acme, sam):
    with pytest.raises(Forbidden):
        create_api_token(acme, name="x", scope="read", actor=Actor.staff(sam))
    assert not ApiToken.objects.exists()


def test_an_owner_cannot_make_a_token_that_acts_as_someone_else(acme, olivia, sam):
    with pytest.raises(Forbidden) as refused:
        create_api_token(acme, name="x", scope="read_write", member=sam, actor=Actor.staff(olivia))
    assert refused.value.code == "forbidden"
    assert not ApiToken.objects.exists()


def test_a_deactivated_manager_cannot_make_tokens(acme, olivia, max_):
    deactivate_staff(max_, actor=Actor.staff(olivia))
    with pytest.raises(Forbidden):
        create_api_token(acme, name="x", scope="read", actor=Actor.staff(max_))
    assert not ApiToken.objects.exists()


def test_the_system_must_name_an_active_member_of_the_seller(acme, olivia, sam, rita):
    with pytest.raises(ActionError) as no_member:
        create_api_token(acme, name="x", scope="read", actor=Actor.system())
    deactivate_staff(sam, actor=Actor.staff(olivia))
    with pytest.raises(ActionError) as inactive:
        create_api_token(acme, name="x", scope="read", member=sam, actor=Actor.system())
    with pytest.raises(ActionError) as other_seller:
        create_api_token(acme, name="x", scope="read", member=rita, actor=Actor.system())
    assert (no_member.value.code, inactive.value.code, other_seller.value.code) == (
        "member_required",
        "not_an_active_member",
        "not_an_active_member",
    )
    assert not ApiToken.objects.exists()


def test_the_command_makes_a_token_that_acts_as_the_named_member(acme, sam, capsys):
    call_command("create_api_token", "--seller", "acme", "--user", "sam", "--name", "Scanner")
    raw = capsys.readouterr().out.splitlines()[1]
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(raw)
    assert (token.membership, token.created_by, token.scope) == (sam, None, "read")


@pytest.mark.parametrize("user", ["nobody", "rita", "sam"])
def test_the_command_refuses_a_user_who_is_not_active_staff_of_the_seller(acme, olivia, sam, rita, user):
    # Given Sam deactivated, Rita staff of another seller, and no user "nobody"
    deactivate_staff(sam, actor=Actor.staff(olivia))

    with pytest.raises(CommandError) as refused:
        call_command("create_api_token", "--seller", "acme", "--user", user, "--name", "ERP")

    assert refused.value.returncode != 0
    assert str(refused.value)
    assert not ApiToken.objects.exists()


def test_the_command_refuses_an_unknown_seller(olivia):
    with pytest.raises(CommandError) as refused:
        call_command("create_api_token", "--seller", "nope", "--user", "olivia", "--name", "ERP")
    assert refused.value.returncode != 0
    assert not ApiToken.objects.exists()


def test_the_command_needs_a_user(acme, olivia):
    with pytest.raises(CommandError):
        call_command("create_api_token", "--seller", "acme", "--name", "ERP")
    assert not ApiToken.objects.exists()


# ----------------------------------------------------------------------------------------------
# When a token stops working


def test_a_token_stops_when_its_member_is_deactivated(acme, olivia, max_):
    token, _ = create_api_token(acme, name="ERP", scope="read", actor=Actor.staff(max_))
    deactivate_staff(max_, actor=Actor.staff(olivia))
    assert _state(token) == TokenState.MEMBER_DEACTIVATED


def test_a_token_stops_when_its_member_is_removed_and_stays_stopped_if_they_come_back(acme, max_):
    token, _ = create_api_token(acme, name="ERP", scope="read", actor=Actor.staff(max_))
    user = max_.user
    max_.delete()
    assert _state(token) == TokenState.MEMBER_REMOVED

    Membership.objects.create(seller=acme, user=user, role=Role.MANAGER)
    assert _state(token) == TokenState.MEMBER_REMOVED


def test_a_token_stops_when_its_members_account_is_disabled(acme, max_):
    token, _ = create_api_token(acme, name="ERP", scope="read", actor=Actor.staff(max_))
    max_.user.is_active = False
    max_.user.save(update_fields=["is_active"])
    assert _state(token) == TokenState.ACCOUNT_DISABLED


def test_a_revoked_token_says_so(acme, olivia, max_):
    token, _ = create_api_token(acme, name="ERP", scope="read", actor=Actor.staff(max_))
    revoke_api_token(token, actor=Actor.staff(olivia))
    assert _state(token) == TokenState.REVOKED


# ----------------------------------------------------------------------------------------------
# Tokens made before tokens belonged to members


def _old_token(acme, name: str, created_by=None) -> ApiToken:
    return ApiToken.objects.create(
        seller=acme, name=name, prefix=name[:10], token_hash=hash_token(name), created_by=created_by
    )


def test_old_tokens_go_to_their_active_creator_and_the_others_are_revoked(acme, olivia, sam, rita):
    # Given tokens as they were: made by Olivia (active), by Sam (since deactivated), by Rita (another
    # seller's owner), and on the command line (no creator)
    by_olivia = _old_token(acme, "olivia", olivia.user)
    by_sam = _old_token(acme, "sam", sam.user)
    by_rita = _old_token(acme, "rita", rita.user)
    by_command = _old_token(acme, "command")
    deactivate_staff(sam, actor=Actor.staff(olivia))

    migration.assign_or_revoke(apps, None)

    assert _state(by_olivia) == TokenState.ACTIVE
    assert ApiToken.objects.get(pk=by_olivia.pk).membership == olivia
    for token in (by_sam, by_rita, by_command):
        token.refresh_from_db()
        assert (token.membership, token.state) == (None, TokenState.NO_MEMBER)
        assert token.revoked_at is not None
