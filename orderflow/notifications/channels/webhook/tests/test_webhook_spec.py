"""Webhooks go to endpoints, never to people: nobody picks them, hours never hold them."""

from __future__ import annotations

from orderflow.notifications.channels import registry
from orderflow.notifications.channels.webhook.spec import SPEC
from orderflow.notifications.recipients import as_recipient


def test_nobody_picks_webhooks_and_nothing_holds_them(alice):
    assert (SPEC.picked_by, SPEC.held_by_hours, SPEC.leaves_system, SPEC.address) == (
        frozenset(),
        False,
        False,
        None,
    )
    address, problem = registry.address(as_recipient(alice), "webhook")
    assert address == ""
    assert problem
