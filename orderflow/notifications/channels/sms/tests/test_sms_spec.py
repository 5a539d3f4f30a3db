"""SMS reaches a contact's or a staff member's phone number."""

from __future__ import annotations

from orderflow.notifications.channels.sms.spec import SPEC
from orderflow.notifications.recipients import as_recipient


def test_sms_goes_to_the_phone_number_of_a_contact_or_staff_member(alice, bruno, olivia):
    assert SPEC.address is not None
    assert SPEC.address(as_recipient(bruno)) == (bruno.phone, "")
    olivia.phone = "+12125550100"
    assert SPEC.address(as_recipient(olivia)) == ("+12125550100", "")
    address, problem = SPEC.address(as_recipient(alice))
    assert address == ""
    assert problem


def test_sms_is_held_by_delivery_hours_and_leaves_the_system():
    assert (SPEC.held_by_hours, SPEC.leaves_system, SPEC.picked_by) == (True, True, {"staff", "contact"})
