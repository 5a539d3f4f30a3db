"""The per-state counters and the search documents the order actions keep in step (issue 15)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from orderflow.accounts.actions import add_contact, update_contact, update_customer
from orderflow.accounts.models import Seller
from orderflow.core.actors import Actor
from orderflow.orders.actions import (
    LineInput,
    add_line,
    archive_order,
    cancel_order,
    edit_internal_notes,
    mark_seen,
    place_order,
    recount,
    transition_order,
)
from orderflow.orders.models import CustomerSearch, Order, OrderCount, OrderSearch
from orderflow.orders.selectors import (
    OrderFilters,
    attention_count,
    counted_total,
    order_count,
    order_list,
    search,
)


def counters(seller: Seller) -> Counter[tuple[int, str, bool]]:
    rows = OrderCount.objects.filter(seller=seller).values_list("order_type_id", "state", "archived", "count")
    return Counter({(t, s, a): n for t, s, a, n in rows if n})


def actual(seller: Seller) -> Counter[tuple[int, str, bool]]:
    return Counter(Order.objects.filter(seller=seller).values_list("order_type_id", "state", "archived"))


def test_counters_follow_every_change_of_state_or_archive(make_order, acme, olivia, alice):
    staff = Actor.staff(olivia)
    shop = make_order("shop")
    make_order("distributor")
    assert counters(acme) == actual(acme)
    assert attention_count(acme) == 2

    mark_seen(Order.objects.get(pk=make_order("distributor").pk), actor=staff)  # sent -> seen: still open
    transition_order(shop, to="in_preparation", actor=staff)
    assert counters(acme) == actual(acme)
    assert attention_count(acme) == 2

    done = make_order("services-marketplace", path=("approved", "in_progress", "complete"))
    archive_order(done, actor=staff)
    cancel_order(make_order("shop"), actor=staff, reason="Duplicate")
    assert counters(acme) == actual(acme)
    assert counted_total(acme, OrderFilters()) == Order.objects.filter(seller=acme, archived=False).count()
    assert (
        counted_total(acme, OrderFilters(include_archived=True)) == Order.objects.filter(seller=acme).count()
    )
    assert counted_total(acme, OrderFilters(category="open")) == 2


def test_recount_rebuilds_the_counters_from_the_orders(make_order, acme):
    make_order("shop")
    make_order("shop", path=("in_preparation",))
    OrderCount.objects.filter(seller=acme).update(count=99)

    recount(acme.pk)

    assert counters(acme) == actual(acme)


def test_counts_the_counters_do_not_know_stop_at_the_bound(make_order, acme, olivia):
    for _ in range(4):
        make_order("shop")

    assert order_count(acme, OrderFilters(search="lemonade"), up_to=10) == 4
    assert order_count(acme, OrderFilters(search="lemonade"), up_to=2) == 3  # "more than 2"
    assert order_count(acme, OrderFilters(assignee="unassigned"), up_to=10) == 4


@pytest.mark.django_db(transaction=True)
def test_counters_stay_exact_under_racing_changes(
    make_order, acme, olivia, sam, corner_bar, alice, order_types
):
    """Eight threads at once: placing orders, moving and cancelling others, archiving; every counter
    equals the orders' own count afterwards (PostgreSQL: SQLite takes one writer at a time anyway)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    staff = Actor.staff(olivia)
    waiting = [make_order("shop") for _ in range(12)]
    finished = [
        make_order("services-marketplace", path=("approved", "in_progress", "complete")) for _ in range(4)
    ]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def run(work) -> None:
        try:
            barrier.wait()
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def place() -> None:
        for _ in range(3):
            place_order(corner_bar, order_type=order_types["shop"], actor=Actor.customer(alice), title="Rush")

    def move(orders) -> None:
        for order in orders:
            transition_order(Order.objects.get(pk=order.pk), to="in_preparation", actor=staff)

    def cancel(orders) -> None:
        for order in orders:
            cancel_order(Order.objects.get(pk=order.pk), actor=Actor.staff(sam), reason="Customer asked")

    def archive(orders) -> None:
        for order in orders:
            archive_order(Order.objects.get(pk=order.pk), actor=staff)

    work = [
        place,
        place,
        lambda: move(waiting[0:4]),
        lambda: move(waiting[4:8]),
        lambda: cancel(waiting[8:10]),
        lambda: cancel(waiting[10:12]),
        lambda: archive(finished[0:2]),
        lambda: archive(finished[2:4]),
    ]
    threads = [threading.Thread(target=run, args=(item,)) for item in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert counters(acme) == actual(acme)
    assert attention_count(acme) == 6  # the six orders placed during the race
    assert Order.objects.filter(seller=acme).count() == 22


# -- search ------------------------------------------------------------------------------------------


def found(seller: Seller, text: str) -> list[int]:
    return sorted(
        order_list(seller, OrderFilters(search=text, include_archived=True)).values_list("number", flat=True)
    )


@pytest.fixture
def elise(corner_bar):
    return add_contact(corner_bar, name="Élise Côté", email="Elise.Cote@corner.example")


def test_search_ignores_accents_and_case(make_order, acme, elise):
    order = make_order("shop", title="Gâteau d'anniversaire")

    for text in ("gateau", "GÂTEAU", "Gateau D'Anniv", "élise", "ELISE", "cote", "elise.cote@corner"):
        assert found(acme, text) == [order.number], text
    assert found(acme, "zzz-nothing") == []


def test_search_reaches_lines_notes_customer_and_number(make_order, acme, corner_bar, olivia):
    staff = Actor.staff(olivia)
    first = make_order("shop", lines=[LineInput("Pain de campagne", 2, "4.50", sku="BRD-0042")])
    second = make_order("shop")

    assert found(acme, "brd-0042") == [first.number]
    assert found(acme, "campagne") == [first.number]
    assert found(acme, f"#{second.number}") == [second.number]
    assert found(acme, "corner bar") == [first.number, second.number]

    edit_internal_notes(second, notes="Call before délivery", actor=staff)
    add_line(first, line=LineInput("Croissants au beurre", 6, "1.20"), actor=staff)
    assert found(acme, "delivery") == [second.number]
    assert found(acme, "croissant") == [first.number]


def test_a_customers_new_name_or_contact_finds_its_orders(make_order, acme, corner_bar, alice, olivia):
    staff = Actor.staff(olivia)
    order = make_order("shop")

    update_customer(corner_bar, name="Bistro Hélène", reference="ACC-77", actor=staff)
    assert found(acme, "helene") == [order.number]
    assert found(acme, "acc-77") == [order.number]
    assert "corner bar" not in CustomerSearch.objects.get(customer=corner_bar).text

    update_contact(alice, email="zoe@bistro.example", actor=staff)
    assert found(acme, "zoe@bistro") == [order.number]


def test_search_never_reaches_another_sellers_orders(make_order, acme, rival, rival_customer, rita):
    from orderflow.workflows.actions import install_order_type

    shop = install_order_type(rival, preset="shop", actor=Actor.system())
    place_order(rival_customer, order_type=shop, actor=Actor.staff(rita), title="Lemonade for the rival")
    mine = make_order("shop")

    assert found(acme, "lemonade") == [mine.number]


def test_every_order_has_its_search_document(make_order):
    order = make_order("shop")
    document = OrderSearch.objects.get(order=order)
    assert f"#{order.number}#" in document.order_text
    assert "crate of lemonade" in document.order_text
    assert "corner bar" not in document.order_text  # the customer's text is its own document
    assert "corner bar" in CustomerSearch.objects.get(customer=order.customer).text


def test_an_empty_search_matches_everything(acme):
    assert str(search("   ", acme)) == str(search("", acme))


def test_a_search_matching_many_orders_finds_the_same(make_order, acme, monkeypatch):
    """Past SEARCH_IDS matches the list filters through the documents instead of by ids: same orders."""
    first, second = make_order("shop", title="Lemon tart"), make_order("shop", title="Lemon cake")
    make_order("shop", title="Apple pie", lines=[])

    monkeypatch.setattr("orderflow.orders.selectors.SEARCH_IDS", 1)

    assert found(acme, "lemon") == [first.number, second.number]
    assert found(acme, "lemon cake") == [second.number]


def test_words_found_partly_in_the_customer_and_partly_in_the_order(make_order, acme, order_types, olivia):
    """Each word may be in the customer's document or in the order's own: "alice cake" is an order of
    Alice's customer whose own text has "cake"; neither her other orders nor another customer's cake."""
    from orderflow.accounts.actions import add_customer

    cake = make_order("shop", title="Birthday cake")
    make_order("shop", title="Lemon tart")
    other = add_customer(acme, name="Harbour Café")
    contact = add_contact(other, name="Bob Stone", email="bob@harbour.example")
    place_order(
        other, order_type=order_types["shop"], actor=Actor.customer(contact), title="Wedding cake",
        lines=[LineInput("Cake", 1, "40")],
    )  # fmt: skip

    assert found(acme, "alice cake") == [cake.number]
    assert found(acme, "cake alice") == [cake.number]
    assert found(acme, "corner martin") == sorted(
        o.number for o in Order.objects.filter(customer__name="Corner Bar")
    )
    assert found(acme, "harbour wedding") != []
    assert found(acme, "harbour tart") == []


def test_a_search_by_customer_past_search_ids_finds_the_same(make_order, acme, monkeypatch):
    """Past SEARCH_IDS the groups become one condition on the list: same orders, customer words too."""
    first, second = make_order("shop", title="Lemon tart"), make_order("shop", title="Apple pie")
    monkeypatch.setattr("orderflow.orders.selectors.SEARCH_IDS", 1)

    assert found(acme, "corner bar") == [first.number, second.number]
    assert found(acme, "alice tart") == [first.number]
