"""Every change to an order. Each action runs in one transaction, re-reads the order under a lock,
checks the rules against the workflow the order started on, writes, and appends an `OrderEvent`.

One module per subject; import actions from here.
"""

from __future__ import annotations

from orderflow.orders.actions.bulk import (
    MAX_BULK,
    BulkResult,
    BulkTarget,
    bulk_archive,
    bulk_assign,
    bulk_transition,
    common_targets,
    selected_orders,
)
from orderflow.orders.actions.common import log_event
from orderflow.orders.actions.details import (
    assign_order,
    edit_internal_notes,
    set_estimated_completion,
    update_line,
)
from orderflow.orders.actions.indexing import index_customer, recount
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
from orderflow.orders.actions.shipping import (
    add_carrier,
    check_url_pattern,
    record_shipment,
    set_carrier_active,
    tracking_url,
)

__all__ = [
    "MAX_BULK",
    "BulkResult",
    "BulkTarget",
    "Checked",
    "LineInput",
    "add_carrier",
    "add_line",
    "archive_order",
    "assign_order",
    "available_transitions",
    "bulk_archive",
    "bulk_assign",
    "bulk_transition",
    "can_archive",
    "can_cancel",
    "cancel_order",
    "check_order",
    "check_url_pattern",
    "common_targets",
    "edit_internal_notes",
    "edit_line",
    "index_customer",
    "log_event",
    "mark_seen",
    "order_type_for_items",
    "place_order",
    "record_shipment",
    "recount",
    "refund_order",
    "remove_line",
    "selected_orders",
    "set_carrier_active",
    "set_estimated_completion",
    "tracking_url",
    "transition_order",
    "update_line",
]
