"""Email reaches whoever has an address; delivery hours hold it; the sandbox keeps it when on."""

from __future__ import annotations

from orderflow.notifications.channels import registry
from orderflow.notifications.channels.email.spec import SPEC
from orderflow.notifications.recipients import as_recipient


def test_email_goes_to_the_address_or_says_there_is_none(alice, bruno):
    assert SPEC.address is not None
    assert SPEC.address(as_recipient(alice)) == (alice.email, "")
    address, problem = SPEC.address(as_recipient(bruno))
    assert address == ""
    assert problem


def test_email_is_held_by_delivery_hours_and_leaves_the_system():
    assert (SPEC.held_by_hours, SPEC.leaves_system, SPEC.picked_by) == (True, True, {"staff", "contact"})
    assert registry.get("email") is SPEC
