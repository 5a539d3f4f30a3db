"""The rows of Manage Orders, written here rather than by the template engine.

The list is the page staff open most. Measured at a million orders (`bench/dashboard_scale.py`), its
fifty rows took the template engine some 2,000 nodes and 8 to 9 ms of CPU per page, more than all the rest of
the page; this module writes the same markup in well under a millisecond. Django's admin writes the rows
of its change list in Python too (`items_for_result`). The table's head, and everything else on the page,
stay in `web/dashboard.html`; a row's cells are listed in `_cells`, in the head's order.

Every value from the database goes through `escape`; labels are translated once per page."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from orderflow.core import formatting
from orderflow.orders.selectors import ListRow

_SENTINEL = 987654321  # an order number no URL pattern rewrites, replaced by each row's


def order_rows(
    orders: Iterable[ListRow],
    *,
    seller_slug: str,
    locale: str,
    all_selected: bool,
    customer_query: str,
) -> SafeString:
    """The `<tr>` of each order, in the reader's language (`locale`, the active one) and time zone."""
    labels = {
        "select": escape(_("Select")),
        "number": escape(pgettext("order number", "No.")),
        "title": escape(_("Title")),
        "customer": escape(_("Customer")),
        "contact": escape(_("Contact")),
        "type": escape(_("Order type")),
        "status": escape(_("Status")),
        "assignee": escape(_("Assignee")),
        "submitted": escape(_("Submitted")),
        "activity": escape(_("Last activity")),
        "estimate": escape(_("Est. completion")),
    }
    archived = escape(_("Archived"))
    only_customer = escape(_("Only this customer's orders"))
    unassigned = escape(_("Unassigned"))
    select_order = _("Select order #%(number)s")
    detail_pattern = reverse("order_detail", kwargs={"seller_slug": seller_slug, "number": _SENTINEL})
    head, _sentinel, tail = detail_pattern.rpartition(str(_SENTINEL))
    customer_prefix = f"?{escape(customer_query)}&amp;customer=" if customer_query else "?customer="
    checked = " checked" if all_selected else ""
    zone = timezone.get_current_timezone()

    rows = []
    for order in orders:
        number = order.number
        detail = escape(f"{head}{number}{tail}")
        assignee = escape(order.assignee_name) or f'<span class="muted">{unassigned}</span>'
        tag = f' <span class="tag">{archived}</span>' if order.archived else ""
        estimate = formatting.day(order.estimated_completion, zone, locale) or "—"
        cells = (
            ("select", "select", f'<input type="checkbox" name="orders" value="{number}" id="select-{number}"'
             f'{checked} aria-label="{escape(select_order % {"number": number})}">'),
            ("number", "num", f'<a href="{detail}">#{number}</a>'),
            ("title", "", f'<a href="{detail}">{escape(order.title)}</a>{tag}'),
            ("customer", "", f'<a class="quiet" href="{customer_prefix}{order.customer_id}" '
             f'title="{only_customer}">{escape(order.customer_name)}</a>'),
            ("contact", "", escape(order.contact_name) or "—"),
            ("type", "", escape(order.order_type_name)),
            ("status", "", f'<span class="status status-{escape(order.state_category)}">'
             f"{escape(order.state.label(locale))}</span>"),
            ("assignee", "", assignee),
            ("submitted", "nowrap", _moment(order.submitted_at, zone, locale)),
            ("activity", "nowrap", _moment(order.last_activity_at, zone, locale)),
            ("estimate", "nowrap", escape(estimate)),
        )  # fmt: skip
        row = "".join(
            f'<td class="{css}" data-label="{labels[key]}">{html}</td>' if css
            else f'<td data-label="{labels[key]}">{html}</td>'
            for key, css, html in cells
        )  # fmt: skip
        rows.append(f'<tr class="archived">{row}</tr>' if order.archived else f"<tr>{row}</tr>")
    return mark_safe("\n".join(rows))


def _moment(moment: datetime.datetime | None, zone: datetime.tzinfo, language: str) -> str:
    """A `<time>` element: the moment for machines (ISO 8601 in the reader's zone), and for people."""
    if moment is None:
        return ""
    local = timezone.localtime(moment, zone)
    return f'<time datetime="{local.isoformat()}">{escape(formatting.when(moment, zone, language))}</time>'
