"""What a channel is, beside how it sends: each folder's `spec.py` defines `SPEC`, a `ChannelSpec`, and
its `transport.py` the `Transport`. The registry reads the specs; nothing else lists channels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils.functional import Promise

if TYPE_CHECKING:
    from orderflow.notifications.recipients import Recipient

# Who may choose a channel for themselves: the seller's staff, the customers' contacts.
Picker = Literal["staff", "contact"]
# Where a channel reaches a person ("" if it cannot), and why it cannot ("" if it can).
AddressLookup = Callable[["Recipient"], tuple[str, str]]


@dataclass(frozen=True)
class ChannelSpec:
    key: str
    label: str | Promise
    # Order in the lists people choose from.
    position: int
    # None: not a channel people are reached on (webhooks go to endpoints; the sandbox stands in).
    address: AddressLookup | None = None
    # Delivery hours hold it: it reaches someone's phone or mailbox. An inbox in the app waits anyway.
    held_by_hours: bool = False
    # It leaves the system for people's devices: with NOTIFICATIONS_SANDBOX on, the sandbox keeps it
    # instead of sending it. (Webhooks leave too, but to endpoints the seller set up: they are sent.)
    leaves_system: bool = False
    picked_by: frozenset[Picker] = frozenset()
    # Only someone who can sign in reads it (a contact needs a portal login).
    needs_login: bool = False
    # A transport only, never a delivery's channel: it stands in for the channels that leave the system.
    stands_in: bool = False
    # The worker loop that claims it (`run_worker` runs each lane on its own thread): outside servers
    # that may be slow (webhook endpoints) never share a lane with people's messages.
    lane: str = "people"
    # Its server is one a seller chose (and may be slow or failing): a worker sends a batch's messages
    # on it side by side, so one slow server costs the others one time budget, not one each.
    side_by_side: bool = False
