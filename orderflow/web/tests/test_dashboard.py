"""Manage orders: filters, sorting, archived orders, paging and the attention badge."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orderflow.accounts.actions import add_customer, add_staff, create_seller
from orderflow.core.actors import Actor
from orderflow.orders.actions import (
    LineInput,
    archive_order,
    assign_order,
    place_order,
    set_estimated_completion,
)
from orderflow.workflows.actions import install_order_type

DASHBOARD = reverse("dashboard", kwargs={"seller_slug": "acme"})


def listed(response) -> list[int]:
    """The order numbers in the table, top to bottom."""
    cells = re.findall(r'<td class="num"[^>]*><a href="[^"]+">#(\d+)</a>', response.content.decode())
    return [int(n) for n in cells]


def badge(response) -> int:
    match = re.search(r'data-testid="attention-count">(\d+)<', response.content.decode())
    assert match, "the nav shows the attention badge"
    return int(match.group(1))


@pytest.fixture
def orders(make_order, olivia, sam):
    """#1 new wholesale, #2 shop in preparation, #3 services complete then archived, #4 quote drafted."""
    staff = Actor.staff(olivia)
    wholesale = make_order("distributor", title="Lemonade for the weekend")
    shop = make_order("shop", path=("in_preparation",), title="Birthday cake")
    services = make_order(
        "services-marketplace", path=("approved", "in_progress", "complete"), title="Trade show"
    )
    archive_order(services, actor=staff)
    quote = make_order("quote-to-order", title="Fit-out proposal")
    assign_order(shop, assignee=sam, actor=staff)
    assign_order(quote, assignee=olivia, actor=staff)
    return {"wholesale": wholesale, "shop": shop, "services": services, "quote": quote}


def test_the_list_shows_each_orders_columns(as_olivia, orders):
    response = as_olivia.get(DASHBOARD)

    page = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Lemonade for the weekend",
        "Corner Bar",
        "Alice Martin",
        "Shop order",
        "In preparation",
        "Sam",
    ]:
        assert text in page
    assert "Unassigned" in page


def test_archived_orders_are_hidden_unless_asked_for(as_olivia, orders):
    assert listed(as_olivia.get(DASHBOARD)) == [4, 2, 1]
    assert 3 in listed(as_olivia.get(DASHBOARD, {"archived": "on"}))


def test_search_matches_number_title_and_customer(as_olivia, orders, acme):
    other = add_customer(acme, name="Harbour Hotel")
    place_order(other, order_type=orders["wholesale"].order_type, actor=Actor.system(), title="Towels")

    assert listed(as_olivia.get(DASHBOARD, {"q": "cake"})) == [2]
    assert listed(as_olivia.get(DASHBOARD, {"q": "#4"})) == [4]
    assert listed(as_olivia.get(DASHBOARD, {"q": "harbour"})) == [5]
    assert listed(as_olivia.get(DASHBOARD, {"q": "nothing like this"})) == []


def test_filters_by_category_type_state_assignee_and_customer(as_olivia, orders, olivia, sam, corner_bar):
    assert listed(as_olivia.get(DASHBOARD, {"category": "open"})) == [4, 1]
    assert listed(as_olivia.get(DASHBOARD, {"category": "done", "archived": "on"})) == [3]
    assert listed(as_olivia.get(DASHBOARD, {"type": "shop"})) == [2]
    assert listed(as_olivia.get(DASHBOARD, {"state": "shop:in_preparation"})) == [2]
    assert listed(as_olivia.get(DASHBOARD, {"type": "shop", "state": "shop:in_preparation"})) == [2]
    assert listed(as_olivia.get(DASHBOARD, {"assignee": "mine"})) == [4]
    assert listed(as_olivia.get(DASHBOARD, {"assignee": str(sam.pk)})) == [2]
    assert listed(as_olivia.get(DASHBOARD, {"assignee": "unassigned"})) == [1]
    assert listed(as_olivia.get(DASHBOARD, {"customer": str(corner_bar.pk)})) == [4, 2, 1]


def test_unknown_filter_values_are_reported_and_ignored(as_olivia, orders, rival):
    rival_customer = add_customer(rival, name="Not yours")

    response = as_olivia.get(
        DASHBOARD,
        {
            "type": "nope",
            "category": "urgent",
            "state": "distributor:nowhere",
            "assignee": "42",
            "customer": str(rival_customer.pk),
            "sort": "price",
            "page": "banana",
            "q": "cake",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Some filters were not understood and were ignored" in page
    for label in ["Order type", "Stage", "Status", "Assignee", "Customer", "Sort by"]:
        assert f"{label}: Select a valid choice" in page
    assert listed(response) == [2]  # the valid search still applies


def test_a_status_of_another_order_type_is_ignored_with_a_message(as_olivia, orders):
    response = as_olivia.get(DASHBOARD, {"type": "shop", "state": "distributor:sent"})

    assert "belongs to another order type" in response.content.decode()
    assert listed(response) == [2]


def test_sorting_by_estimated_completion_puts_orders_without_one_last(as_olivia, orders, olivia):
    staff = Actor.staff(olivia)
    today = dt.date.today()
    set_estimated_completion(orders["wholesale"], date=today + dt.timedelta(days=9), actor=staff)
    set_estimated_completion(orders["quote"], date=today + dt.timedelta(days=2), actor=staff)

    assert listed(as_olivia.get(DASHBOARD, {"sort": "estimated_completion"})) == [4, 1, 2]
    assert listed(as_olivia.get(DASHBOARD, {"sort": "-estimated_completion"})) == [1, 4, 2]
    assert listed(as_olivia.get(DASHBOARD, {"sort": "submitted"})) == [1, 2, 4]
    assert listed(as_olivia.get(DASHBOARD, {"sort": "-submitted"})) == [4, 2, 1]


def test_the_badge_counts_open_orders_that_are_not_archived(as_olivia, orders, olivia):
    response = as_olivia.get(DASHBOARD)
    assert badge(response) == 2  # wholesale "sent" and quote "drafted"

    # Opening the wholesale order makes it "seen", still open: someone has to confirm it.
    as_olivia.get(reverse("order_detail", kwargs={"seller_slug": "acme", "number": 1}))
    assert badge(as_olivia.get(DASHBOARD)) == 2


def test_pages_hold_fifty_orders(as_olivia, order_types, corner_bar):
    for index in range(51):
        place_order(
            corner_bar, order_type=order_types["distributor"], actor=Actor.system(), title=f"Order {index}"
        )

    first = as_olivia.get(DASHBOARD)
    second = as_olivia.get(DASHBOARD, {"page": "2"})

    assert len(listed(first)) == 50
    assert listed(second) == [1]
    assert "Page 2 of 2" in second.content.decode()


def test_the_list_takes_as_many_queries_for_thirty_orders_as_for_one(as_olivia, order_types, corner_bar):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_olivia.get(DASHBOARD).status_code == 200
        return len(queries.captured_queries)

    place_order(corner_bar, order_type=order_types["shop"], actor=Actor.system(), title="The first")
    one = queries_for_list()
    for index in range(29):
        place_order(
            corner_bar, order_type=order_types["custom-production"], actor=Actor.system(), title=f"{index}"
        )

    assert queries_for_list() == one


def test_french_sellers_see_french_status_labels(client, db):
    seller = create_seller(name="Boutique du Parc", slug="parc", locale="fr")
    claire = add_staff(seller, username="claire", password=None, role="owner")
    order_type = install_order_type(seller, preset="shop", actor=Actor.system())
    resident = add_customer(seller, name="Appartement 12")
    place_order(resident, order_type=order_type, actor=Actor.system(), lines=[LineInput("Baguette")])
    client.force_login(claire.user)

    response = client.get(reverse("dashboard", kwargs={"seller_slug": "parc"}))

    assert "Nouvellement passée" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "cake"},
        {"q": "LÉMONADE"},
        {"category": "open"},
        {"type": "shop", "state": "shop:in_preparation"},
        {"assignee": "unassigned"},
        {"sort": "estimated_completion"},
        {"sort": "-submitted", "archived": "on"},
    ],
)
def test_each_view_of_the_list_takes_a_fixed_number_of_queries(as_olivia, orders, query):
    """Session, user, member (with its seller); the filter form's order types and their versions, staff,
    whether the customers fit a drop-down, and (here, a small seller) those customers; the page's ids,
    its orders (customer and contact names looked up in the same statement), the page's workflow
    versions, the counters (the total and the attention badge both; where they do not know the total,
    the page's ids are read up to 1,001 of them, which counts them too); unread inbox items, unread
    conversations (the bulk form's staff are the filter's); a one-word search, the customers having the
    word and the ids of the orders having it. Never one per order, nor a count of every order."""
    as_olivia.get(DASHBOARD, query)
    with CaptureQueriesContext(connection) as queries:
        response = as_olivia.get(DASHBOARD, query)
    assert response.status_code == 200
    expected = 16 if "q" in query else 14  # a search first reads the customers, then the orders, matching
    assert len(queries.captured_queries) == expected, [q["sql"][:120] for q in queries.captured_queries]
    assert not any(
        'COUNT(*) AS "__count" FROM "orders_order"' in q["sql"] for q in queries.captured_queries
    ), "no unbounded count of the seller's orders"


def test_a_total_the_counters_do_not_know_is_exact_up_to_a_bound_then_a_lower_bound(
    as_olivia, orders, monkeypatch
):
    """A search's (or an assignee's, a customer's) total comes from the ids read for the page: exact up
    to COUNT_UP_TO, else a lower bound ("more than"), read as far as the page asked for."""
    from orderflow.web.views import dashboard

    monkeypatch.setattr(dashboard, "PAGE_SIZE", 1)
    monkeypatch.setattr(dashboard, "COUNT_UP_TO", 2)
    every = {"archived": "on", "sort": "submitted"}

    def page(**query):
        response = as_olivia.get(DASHBOARD, {**every, **query})
        shown = response.context["page"]
        return listed(response), shown.total, shown.total_exact, shown.has_next

    assert page(assignee="unassigned") == ([orders["wholesale"].number], 2, True, True)
    assert page(assignee="unassigned", page=2) == ([orders["services"].number], 2, True, False)
    assert page(q="o") == (
        [orders["wholesale"].number],
        3,
        False,
        True,
    )  # 4 titles with an "o": "more than 2"
    assert page(q="o", page=3) == ([orders["services"].number], 4, False, True)  # read up to 4: more?
    assert page(q="o", page=4) == ([orders["quote"].number], 4, True, False)
