"""One change to several orders: each through its own action and transaction, judged on its own."""

from __future__ import annotations

from orderflow.accounts.actions import add_staff
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.orders.actions import (
    bulk_archive,
    bulk_assign,
    bulk_transition,
    common_targets,
    place_order,
    selected_orders,
)
from orderflow.orders.models import EventType, Order, OrderEvent


def by_number(results):
    return {result.number: result for result in results}


def test_bulk_assign_assigns_each_order_and_logs_each(make_order, acme, olivia, sam):
    first, second = make_order("shop"), make_order("distributor")

    results = bulk_assign(acme, [first.number, second.number], assignee=sam, actor=Actor.staff(olivia))

    assert [(r.number, r.done) for r in results] == [(1, True), (2, True)]
    assert set(Order.objects.filter(seller=acme).values_list("assignee", flat=True)) == {sam.pk}
    assert OrderEvent.objects.filter(type=EventType.ASSIGNED).count() == 2


def test_one_refusal_does_not_stop_the_others(make_order, acme, olivia, sam):
    # Given an order already closed (final) between two open ones
    first = make_order("shop")
    closed = make_order("shop", path=("in_preparation", "ready_for_pickup", "picked_up"))
    third = make_order("shop")

    results = by_number(
        bulk_transition(
            acme, [first.number, closed.number, third.number], to="in_preparation", actor=Actor.staff(olivia)
        )
    )

    assert results[first.number].done
    assert results[third.number].done
    refused = results[closed.number]
    assert not refused.done
    assert refused.code == "final_state"
    assert refused.message
    assert Order.objects.get(pk=closed.pk).state == "picked_up"
    assert Order.objects.get(pk=first.pk).state == Order.objects.get(pk=third.pk).state == "in_preparation"


def test_bulk_archive_refuses_unfinished_orders_and_archives_finished_ones(make_order, acme, olivia):
    finished = make_order("services-marketplace", path=("approved", "in_progress", "complete"))
    running = make_order("shop")

    results = by_number(bulk_archive(acme, [finished.number, running.number], actor=Actor.staff(olivia)))

    assert results[finished.number].done
    assert (results[running.number].done, results[running.number].code) == (False, "not_archivable")
    assert Order.objects.get(pk=finished.pk).archived
    assert not Order.objects.get(pk=running.pk).archived


def test_another_sellers_order_numbers_are_refused_and_left_untouched(
    make_order, acme, olivia, sam, rival, rita, rival_customer, order_types
):
    # Given Rival has orders #1 and #2, Acme only #1
    from orderflow.workflows.actions import install_order_type

    rival_type = install_order_type(rival, preset="shop", actor=Actor.system())
    rival_orders = [
        place_order(rival_customer, order_type=rival_type, actor=Actor.staff(rita), title=f"Rival {n}")
        for n in (1, 2)
    ]
    mine = make_order("shop")

    # When Olivia assigns "#1 and #2" to Sam
    results = by_number(bulk_assign(acme, [1, 2], assignee=sam, actor=Actor.staff(olivia)))

    # Acme's #1 is assigned; #2 is not Acme's: refused, and Rival's #2 is untouched
    assert results[mine.number].done
    assert (results[2].done, results[2].code) == (False, "not_found")
    for order in rival_orders:
        order.refresh_from_db()
        assert order.assignee_id is None
        assert order.version == 1


def test_a_member_of_another_seller_cannot_act_through_bulk(make_order, acme, rita, olivia):
    order = make_order("shop")
    results = bulk_transition(acme, [order.number], to="in_preparation", actor=Actor.staff(rita))
    assert (results[0].done, results[0].code) == (False, "forbidden")
    assert Order.objects.get(pk=order.pk).state == order.state


def test_common_targets_are_the_moves_every_order_allows(make_order, acme, olivia):
    shop_new, shop_new_too = make_order("shop"), make_order("shop")
    shop_preparing = make_order("shop", path=("in_preparation",))
    actor = Actor.staff(olivia)

    same_step = common_targets([shop_new, shop_new_too], actor, language="en")
    assert "in_preparation" in [t.state for t in same_step]
    apart = common_targets([shop_new, shop_preparing], actor, language="en")
    assert "in_preparation" not in [t.state for t in apart]
    for target in apart:
        for order in (shop_new, shop_preparing):
            assert order.workflow.transition(order.state, target.state) is not None


def test_a_move_that_needs_a_note_asks_for_one_and_refuses_without(make_order, acme, olivia):
    # Given two services orders in progress: waiting for the partner needs a note to the customer
    orders = [make_order("services-marketplace", path=("approved", "in_progress")) for _ in range(2)]
    actor = Actor.staff(olivia)

    targets = {target.state: target for target in common_targets(orders, actor, language="en")}
    assert targets["waiting_for_partner"].note == "required"

    numbers = [order.number for order in orders]
    refused = bulk_transition(acme, numbers, to="waiting_for_partner", actor=actor)
    assert [(r.done, r.code) for r in refused] == [(False, "note_required")] * 2
    done = bulk_transition(acme, numbers, to="waiting_for_partner", note="Waiting on the venue", actor=actor)
    assert [r.done for r in done] == [True, True]
    assert set(OrderEvent.objects.filter(to_state="waiting_for_partner").values_list("note", flat=True)) == {
        "Waiting on the venue"
    }


def test_selected_orders_keep_the_given_order_once_each(make_order, acme):
    make_order("shop"), make_order("shop")
    orders, missing = selected_orders(acme, [2, 1, 2, 7])
    assert [o.number for o in orders] == [2, 1]
    assert missing == [7]


def test_an_inactive_assignee_is_refused_per_order(make_order, acme, olivia):
    from orderflow.accounts.models import Membership

    leaver = add_staff(acme, username="leaver", password=PASSWORD, first_name="Lee", role="staff")
    Membership.objects.filter(pk=leaver.pk).update(is_active=False)
    leaver.refresh_from_db()
    order = make_order("shop")
    results = bulk_assign(acme, [order.number], assignee=leaver, actor=Actor.staff(olivia))
    assert (results[0].done, results[0].code) == (False, "invalid")
