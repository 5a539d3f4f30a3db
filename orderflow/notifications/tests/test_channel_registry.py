"""One registry of channels, made from the folders under channels/: every list of channels reads it."""

from __future__ import annotations

from pathlib import Path

from orderflow.notifications import channels
from orderflow.notifications.channels import registry
from orderflow.notifications.models import Channel
from orderflow.notifications.recipients import as_recipient


def test_every_folder_is_a_channel_and_the_database_choices_are_the_registrys():
    folders = {p.name for p in Path(channels.__file__).parent.iterdir() if (p / "spec.py").exists()}
    assert folders == {"email", "sms", "messenger", "in_app", "call", "webhook", "sandbox"}
    # The sandbox only stands in for other channels: no delivery is ever written for it.
    assert {spec.key for spec in registry.channels()} == folders - {"sandbox"}
    assert set(Channel.values) == registry.channel_keys()


def test_who_may_pick_which_channel():
    assert registry.pickable("staff") == {"email", "sms", "in_app"}
    assert registry.pickable("contact") == {"email", "sms", "messenger", "in_app", "call"}
    assert "webhook" not in registry.pickable()
    assert [key for key, _ in registry.choices_for("contact", signed_in=False)] == [
        "email",
        "sms",
        "messenger",
        "call",
    ]


def test_delivery_hours_hold_what_reaches_a_phone_or_mailbox():
    held = {spec.key for spec in registry.channels() if registry.held_by_hours(spec.key)}
    assert held == {"email", "sms", "messenger", "call"}
    assert not registry.held_by_hours("pigeon")


def test_the_sandbox_stands_in_for_what_leaves_the_system_only_when_on(settings):
    settings.NOTIFICATIONS_SANDBOX = False
    assert {registry.transport_kind(key) for key in registry.channel_keys()} == registry.channel_keys()
    settings.NOTIFICATIONS_SANDBOX = True
    kinds = {key: registry.transport_kind(key) for key in registry.channel_keys()}
    assert {key for key, kind in kinds.items() if kind == "sandbox"} == {"email", "sms", "messenger"}


def test_an_unknown_channel_reaches_nobody_and_says_so(alice):
    address, problem = registry.address(as_recipient(alice), "pigeon")
    assert address == ""
    assert "pigeon" in problem
    assert registry.label("pigeon") == "pigeon"
