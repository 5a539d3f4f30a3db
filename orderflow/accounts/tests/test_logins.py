"""The login actions on their own: who may set a password, invitations' codes, unlocking."""

from __future__ import annotations

import pytest

from orderflow.accounts.actions import accept_invitation, create_portal_login, invite_contact, unlock_login
from orderflow.accounts.models import Invitation
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.notifications.models import Notification


def _token(invitation: Invitation) -> str:
    url = (Notification.objects.filter(email=invitation.email).latest("pk").payload or {})["action_url"]
    return url.rstrip("/").rsplit("/", 1)[1]


def test_only_the_system_sets_a_portal_password(alice, olivia):
    for actor in (Actor.staff(olivia), Actor.customer(alice)):
        with pytest.raises(Forbidden):
            create_portal_login(alice, password=PASSWORD, actor=actor)
    alice.refresh_from_db()
    assert alice.user is None


def test_the_system_path_still_applies_the_password_validators(alice):
    with pytest.raises(ActionError) as weak:
        create_portal_login(alice, password="73925184", actor=Actor.system())
    assert weak.value.code == "invalid"


def test_an_invitation_keeps_only_a_hash_of_its_token(alice, olivia):
    invitation = invite_contact(alice, actor=Actor.staff(olivia))
    token = _token(invitation)
    assert len(token) >= 40
    assert token not in invitation.token_hash


def test_accepting_twice_raises_invitation_closed_and_changes_nothing(alice, olivia):
    token = _token(invite_contact(alice, actor=Actor.staff(olivia)))
    user = accept_invitation(token, password="lantern-orchard-42")

    with pytest.raises(ActionError) as closed:
        accept_invitation(token, password="another-choice-77")

    assert closed.value.code == "invitation_closed"
    user.refresh_from_db()
    assert user.check_password("lantern-orchard-42")


def test_an_invitation_for_an_address_the_contact_no_longer_has_is_closed(alice, olivia):
    token = _token(invite_contact(alice, actor=Actor.staff(olivia)))
    alice.email = "alice.new@cornerbar.example"
    alice.save()

    with pytest.raises(ActionError) as closed:
        accept_invitation(token, password="lantern-orchard-42")

    assert closed.value.code == "invitation_closed"
    assert Invitation.objects.get().used_at is None


def test_unlocking_someone_without_a_login_clears_nothing(alice, olivia):
    assert unlock_login(alice, actor=Actor.staff(olivia)) == 0
