"""What the order actions keep in step besides the order itself, in the same transaction: the counts of
orders per state (`OrderCount`) and the search documents (`OrderSearch`, `CustomerSearch`).

Counts move by relative amounts in one upsert (`count = count + delta`), so concurrent changes add up
exactly; the rows of one change are written in a fixed order, so two changes never wait on each other in
a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Count

from orderflow.accounts.models import Contact, Customer
from orderflow.orders.models import (
    CustomerSearch,
    Order,
    OrderCount,
    OrderLine,
    OrderSearch,
    customer_search_text,
    order_search_text,
)

# (seller, order type, state, archived) -> (category, delta)
Key = tuple[int, int, str, bool]


def _key(order: Order) -> Key:
    return (order.seller_id, order.order_type_id, order.state, bool(order.archived))


def count_moves(moves: dict[Key, tuple[str, int]]) -> None:
    """Add each delta to its counter (creating it at the delta), in one statement."""
    rows = [(key, category, delta) for key, (category, delta) in sorted(moves.items()) if delta]
    if not rows:
        return
    table = OrderCount._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for (seller_id, order_type_id, state, archived), category, delta in rows:
        params += [seller_id, order_type_id, state, archived, category, delta]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (seller_id, order_type_id, state, archived, state_category, count) "
            f"VALUES {values} ON CONFLICT (seller_id, order_type_id, state, archived) "
            f"DO UPDATE SET count = {table}.count + excluded.count, state_category = excluded.state_category",
            params,
        )


def count_new(order: Order) -> None:
    count_moves({_key(order): (order.state_category, 1)})


def count_change(order: Order, fields: dict[str, object]) -> None:
    """Before `fields` are applied to `order` (which still holds its old values): move it between
    counters if its state or archived flag changes."""
    state = str(fields.get("state", order.state))
    archived = bool(fields.get("archived", order.archived))
    if state == order.state and archived == bool(order.archived):
        return
    category = str(fields.get("state_category", order.state_category))
    count_moves(
        {
            _key(order): (order.state_category, -1),
            (order.seller_id, order.order_type_id, state, archived): (category, 1),
        }
    )


def recount(seller_id: int | None = None) -> None:
    """Count every order again (after a bulk load that went around the actions, e.g. a benchmark)."""
    orders = Order.objects.all() if seller_id is None else Order.objects.filter(seller_id=seller_id)
    counts = OrderCount.objects.all() if seller_id is None else OrderCount.objects.filter(seller_id=seller_id)
    counts.delete()
    groups = orders.values("seller_id", "order_type_id", "state", "archived", "state_category").annotate(
        n=Count("pk")
    )
    OrderCount.objects.bulk_create(
        OrderCount(
            seller_id=g["seller_id"],
            order_type_id=g["order_type_id"],
            state=g["state"],
            archived=g["archived"],
            state_category=g["state_category"],
            count=g["n"],
        )
        for g in groups.order_by()
    )


def _customer_text(customer_id: int) -> str:
    customer = Customer.objects.only("name", "reference").get(pk=customer_id)
    return customer_search_text(customer, Contact.objects.filter(customer_id=customer_id).order_by("pk"))


def index_new(order: Order, lines: Iterable[OrderLine]) -> None:
    """The search document of an order just placed, and its customer's if this is its first order."""
    OrderSearch.objects.create(order=order, order_text=order_search_text(order, lines))
    if not CustomerSearch.objects.filter(customer_id=order.customer_id).exists():
        # Two first orders at once both get here: the second insert is skipped, the text is the same.
        CustomerSearch.objects.bulk_create(
            [
                CustomerSearch(
                    customer_id=order.customer_id,
                    seller_id=order.seller_id,
                    text=_customer_text(order.customer_id),
                )
            ],
            ignore_conflicts=True,
        )


def index_order(order: Order) -> None:
    """The order's own text again, after its lines or notes changed."""
    text = order_search_text(order, OrderLine.objects.filter(order=order).order_by("position"))
    if not OrderSearch.objects.filter(order=order).update(order_text=text):
        OrderSearch.objects.create(order=order, order_text=text)


def index_customer(customer: Customer) -> None:
    """The customer's orders are found by its new name, account number or contacts: one row."""
    CustomerSearch.objects.update_or_create(
        customer_id=customer.pk,
        defaults={"seller_id": customer.seller_id, "text": _customer_text(customer.pk)},
    )
