"""The one list of channels, made from the folders: `channels/<kind>/spec.py` each define `SPEC`. Who may
pick which channel, which ones delivery hours hold, which ones leave the system, their labels and how each
finds a person's address are read here; adding a channel is adding a folder."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from django.conf import settings

from orderflow.notifications import channels as package
from orderflow.notifications.channels.spec import ChannelSpec, Picker
from orderflow.notifications.recipients import Recipient

SANDBOX = "sandbox"


@cache
def _specs() -> dict[str, ChannelSpec]:
    found: list[ChannelSpec] = []
    for folder in pkgutil.iter_modules(package.__path__):
        if not folder.ispkg:
            continue
        spec = importlib.import_module(f"{package.__name__}.{folder.name}.spec").SPEC
        if spec.key != folder.name:
            raise ImportError(f"channels/{folder.name}/spec.py names its channel {spec.key!r}")
        found.append(spec)
    return {spec.key: spec for spec in sorted(found, key=lambda s: (s.position, s.key))}


def get(key: str) -> ChannelSpec | None:
    return _specs().get(key)


def channels() -> list[ChannelSpec]:
    """Every channel a delivery can have, in the order people see them (the sandbox is not one)."""
    return [spec for spec in _specs().values() if not spec.stands_in]


def channel_keys() -> frozenset[str]:
    return frozenset(spec.key for spec in channels())


def label(key: str) -> str:
    spec = get(key)
    return str(spec.label) if spec is not None else key


def choices() -> list[tuple[str, str]]:
    """Every channel as (key, label), for filters."""
    return [(spec.key, str(spec.label)) for spec in channels()]


def pickable(picker: Picker | None = None) -> frozenset[str]:
    """The channels `picker` may choose for themselves; None: that someone may choose."""
    return frozenset(
        spec.key for spec in channels() if (picker in spec.picked_by if picker else spec.picked_by)
    )


def choices_for(picker: Picker, *, signed_in: bool = True) -> list[tuple[str, str]]:
    """What `picker` may choose from, as (key, label); without a login, no channel read in the app."""
    return [
        (spec.key, str(spec.label))
        for spec in channels()
        if picker in spec.picked_by and (signed_in or not spec.needs_login)
    ]


def address(person: Recipient, key: str) -> tuple[str, str]:
    """Where this channel reaches the person, or why it cannot."""
    spec = get(key)
    if spec is None or spec.address is None:
        return "", f"unknown channel {key!r}."
    return spec.address(person)


def held_by_hours(key: str) -> bool:
    spec = get(key)
    return spec is not None and spec.held_by_hours


def transport_kind(key: str) -> str:
    """The folder whose transport sends a delivery on this channel: the sandbox's instead while
    NOTIFICATIONS_SANDBOX keeps what would leave the system."""
    spec = get(key)
    if settings.NOTIFICATIONS_SANDBOX and spec is not None and spec.leaves_system:
        return SANDBOX
    return key


def lanes() -> dict[str, frozenset[str]]:
    """Each worker lane and the channels it claims."""
    found: dict[str, set[str]] = {}
    for spec in channels():
        found.setdefault(spec.lane, set()).add(spec.key)
    return {lane: frozenset(keys) for lane, keys in found.items()}


def side_by_side(kind: str) -> bool:
    """Whether a worker sends a batch's messages of this transport at the same time."""
    spec = get(kind)
    return spec is not None and spec.side_by_side
