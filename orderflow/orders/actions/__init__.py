"""Every change to an order. Each action runs in one transaction, re-reads the order under a lock,
checks the rules against the workflow the order started on, writes, and appends an `OrderEvent`.

One module per subject; import actions from here.
"""

from __future__ import annotations

from orderflow.orders.actions.common import log_event
from orderflow.orders.actions.details import (
    assign_order,
    edit_internal_notes,
    set_estimated_completion,
    update_line,
)
from orderflow.orders.actions.lines import add_line, edit_line, remove_line
from orderflow.orders.actions.moving import (
    archive_order,
    available_transitions,
    can_archive,
    can_cancel,
    cancel_order,
    mark_seen,
    transition_order,
)
from orderflow.orders.actions.placing import (
    Checked,
    LineInput,
    check_order,
    order_type_for_items,
    place_order,
)
from orderflow.orders.actions.refunds import refund_order

__all__ = [
    "Checked",
    "LineInput",
    "add_line",
    "archive_order",
    "assign_order",
    "available_transitions",
    "can_archive",
    "can_cancel",
    "cancel_order",
    "check_order",
    "edit_internal_notes",
    "edit_line",
    "log_event",
    "mark_seen",
    "order_type_for_items",
    "place_order",
    "refund_order",
    "remove_line",
    "set_estimated_completion",
    "transition_order",
    "update_line",
]
