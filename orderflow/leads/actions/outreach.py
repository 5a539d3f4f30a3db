"""What saving people sets going besides the digest: call tasks for people to qualify by phone and
opt-in emails for leads asked to confirm."""

from __future__ import annotations

from collections.abc import Sequence

from orderflow.core.actors import Actor
from orderflow.leads.models import Person
from orderflow.orders.models import Order, OrderEvent


def after_save(
    order: Order, event: OrderEvent, kind: str, created: Sequence[Person], *, actor: Actor
) -> None:
    """Caller holds the transaction (the order locked)."""
