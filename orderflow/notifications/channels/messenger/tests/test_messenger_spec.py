"""Messenger reaches a contact's own chat; staff have none, so they cannot pick it."""

from __future__ import annotations

from orderflow.accounts.actions import add_contact
from orderflow.notifications.channels.messenger.spec import SPEC
from orderflow.notifications.recipients import as_recipient


def test_messenger_goes_to_the_contacts_apprise_url(corner_bar, alice, olivia):
    chloe = add_contact(corner_bar, name="Chloé", email="c@cornerbar.example", messenger_url="tgram://t/1")
    assert SPEC.address is not None
    assert SPEC.address(as_recipient(chloe)) == ("tgram://t/1", "")
    for nobody in (alice, olivia):
        address, problem = SPEC.address(as_recipient(nobody))
        assert address == ""
        assert problem


def test_only_contacts_pick_messenger_and_hours_hold_it():
    assert (SPEC.held_by_hours, SPEC.leaves_system, SPEC.picked_by) == (True, True, {"contact"})
