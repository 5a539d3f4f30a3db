"""One change to several orders at once: assign, move to a status, archive.

Each order goes through the same action as on its own page, in its own transaction, and is judged on
its own: a refusal (its state, its workflow, someone else's change) is reported for that order and the
others go ahead. Orders are named by number and looked up among the seller's own, so a number the seller
does not have is refused and nothing of another seller is ever read or touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from orderflow.accounts.models import Membership, Seller
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.orders.actions.details import assign_order
from orderflow.orders.actions.moving import archive_order, available_transitions, transition_order
from orderflow.orders.models import Order

MAX_BULK = 500  # ten pages of the dashboard


@dataclass(frozen=True)
class BulkResult:
    """What became of one order: done, or refused with the action's code and message."""

    number: int
    title: str
    done: bool
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class BulkTarget:
    """A status every selected order may move to. `note` is "required" when any of their moves needs
    one, "none" when none takes one, else "optional"."""

    state: str
    label: str
    note: str


def selected_orders(seller: Seller, numbers: Iterable[int]) -> tuple[list[Order], list[int]]:
    """The seller's orders with these numbers, in the order given (each once), and the numbers it has
    no order for."""
    wanted = list(dict.fromkeys(numbers))[:MAX_BULK]
    found = {
        order.number: order
        for order in Order.objects.filter(seller=seller, number__in=wanted).select_related(
            "workflow_version", "order_type", "seller"
        )
    }
    return [found[n] for n in wanted if n in found], [n for n in wanted if n not in found]


def common_targets(orders: list[Order], actor: Actor, *, language: str) -> list[BulkTarget]:
    """The statuses every one of the orders may move to from its own state, by its own workflow, for this
    actor (archiving aside: it has its own bulk action). Labelled as the first order's workflow calls
    them."""
    if not orders:
        return []
    moves = [
        {t.target: t for t in available_transitions(order, actor) if t.target != order.workflow.archive}
        for order in orders
    ]
    shared = [state for state in moves[0] if all(state in options for options in moves[1:])]
    targets = []
    for state in shared:
        notes = {options[state].note for options in moves}
        if "required" in notes and "none" in notes:
            continue  # one order needs a note that another refuses: no one note fits them all
        note = "required" if "required" in notes else "none" if notes == {"none"} else "optional"
        targets.append(BulkTarget(state, orders[0].workflow.state(state).label(language), note))
    return targets


def bulk_assign(
    seller: Seller, numbers: Iterable[int], *, assignee: Membership | None, actor: Actor
) -> list[BulkResult]:
    return _each(seller, numbers, lambda order: assign_order(order, assignee=assignee, actor=actor))


def bulk_transition(
    seller: Seller, numbers: Iterable[int], *, to: str, note: str = "", actor: Actor
) -> list[BulkResult]:
    return _each(seller, numbers, lambda order: transition_order(order, to=to, note=note, actor=actor))


def bulk_archive(seller: Seller, numbers: Iterable[int], *, actor: Actor) -> list[BulkResult]:
    return _each(seller, numbers, lambda order: archive_order(order, actor=actor))


def _each(seller: Seller, numbers: Iterable[int], change: Callable[[Order], Order]) -> list[BulkResult]:
    """Apply `change` (an action: its own transaction, event and notifications) to each order."""
    orders, missing = selected_orders(seller, numbers)
    results = []
    for order in orders:
        try:
            change(order)
        except ActionError as error:
            results.append(BulkResult(order.number, order.title, False, error.code, error.message))
        else:
            results.append(BulkResult(order.number, order.title, True))
    results.extend(
        BulkResult(number, "", False, "not_found", _("There is no order #%(number)s.") % {"number": number})
        for number in missing
    )
    return results
