"""The order of the seller's list (the dashboard's, which the API pages through): each sort by its
field, orders without an estimate last in both directions, ties newest number first. Pinned against
that rule written out here, so that index-friendly ways of asking the database keep the same order."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from orderflow.api.selectors import orders_page
from orderflow.core.actors import Actor
from orderflow.orders.actions import set_estimated_completion, transition_order
from orderflow.orders.models import Order
from orderflow.orders.selectors import SORT_CHOICES, SORT_FIELDS, OrderFilters, order_list

SORTS = [key for key, _ in SORT_CHOICES]


def expected_order(orders: list[Order], sort: str) -> list[int]:
    """The rule: by the sort's field (nulls last either way), then by number, highest first."""
    field = SORT_FIELDS[sort.removeprefix("-")]
    descending = sort.startswith("-")
    present = [order for order in orders if getattr(order, field) is not None]
    missing = [order for order in orders if getattr(order, field) is None]
    present.sort(key=lambda order: -order.number)
    present.sort(key=lambda order: getattr(order, field), reverse=descending)  # stable: ties keep -number
    missing.sort(key=lambda order: -order.number)
    return [order.number for order in present + missing]


@pytest.fixture
def varied_orders(make_order, olivia) -> list[Order]:
    """Nine orders: placed in three batches of the same second, some moved on later (again several in the
    same second), some with the same estimate, some without."""
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    orders = []
    for batch in range(3):
        with time_machine.travel(start + dt.timedelta(minutes=batch), tick=False):
            orders += [make_order("shop") for _ in range(3)]
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        for order in orders[1::3]:
            transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    for order, day in zip(orders, [12, None, 11, 12, None, 13, None, 11, 12], strict=True):
        if day is not None:
            set_estimated_completion(order, date=dt.date(2026, 5, day), actor=Actor.staff(olivia))
    return list(Order.objects.filter(pk__in=[order.pk for order in orders]))


@pytest.mark.parametrize("sort", SORTS)
def test_the_list_follows_its_sort_then_the_newest_number(varied_orders, acme, sort):
    listed = [order.number for order in order_list(acme, OrderFilters(sort=sort))]
    assert listed == expected_order(varied_orders, sort)


@pytest.mark.parametrize("sort", SORTS)
def test_the_api_pages_through_the_same_order(varied_orders, acme, olivia, sort):
    walked: list[int] = []
    cursor = None
    while True:
        page = orders_page(acme, OrderFilters(sort=sort), limit=2, cursor=cursor)
        walked += [item["number"] for item in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert walked == expected_order(varied_orders, sort)
