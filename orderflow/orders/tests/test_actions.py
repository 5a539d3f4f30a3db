from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from orderflow.accounts.actions import add_contact, add_customer
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict, Forbidden, NotAllowed
from orderflow.orders.actions import (
    LineInput,
    archive_order,
    assign_order,
    available_transitions,
    cancel_order,
    edit_internal_notes,
    mark_seen,
    place_order,
    refund_order,
    set_estimated_completion,
    transition_order,
    update_line,
)
from orderflow.orders.models import EventType, LineStatus, Order, OrderEvent
from orderflow.workflows.actions import set_order_type_options

# ---------------------------------------------------------------------------------------------
# Placing


def test_orders_are_numbered_per_seller(make_order, order_types, rival, rival_customer):
    from orderflow.workflows.actions import install_order_type

    first, second = make_order("distributor"), make_order("shop")
    rival_type = install_order_type(rival, preset="shop", actor=Actor.system())
    rivals = place_order(rival_customer, order_type=rival_type, actor=Actor.system(), title="Soap")
    assert (first.number, second.number, rivals.number) == (1, 2, 1)


def test_placing_logs_the_order_and_keeps_the_lines(make_order, alice):
    order = make_order("distributor")
    assert order.state == "sent"
    assert order.placed_by == alice
    assert order.total() == Decimal("37.50")
    [event] = order.events.all()
    assert (event.type, event.to_state, event.actor_kind, event.actor_name) == (
        EventType.PLACED, "sent", "customer", "Alice Martin",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (LineInput("Beer", 0), "quantity must be more than 0"),
        (LineInput("Beer", "two"), "quantity must be a number"),
        (LineInput("Beer", 1, "-1"), "unit price cannot be negative"),
        (LineInput("Beer", 1, "NaN"), "unit price must be a number"),
        (LineInput("  ", 1), "describe the item"),
        (LineInput("Beer", "0.0001"), "quantity can have at most 3 digits after the decimal point"),
        (LineInput("Beer", "1e100"), "quantity must be less than 1,000,000,000"),
        (LineInput("Beer", 1, "2.555"), "unit price can have at most 2 digits after the decimal point"),
        (LineInput("Beer", 1, "1e10"), "unit price must be less than 10,000,000,000"),
    ],
)
def test_a_bad_line_is_refused_and_nothing_is_written(line, message, order_types, corner_bar, alice):
    with pytest.raises(ActionError, match=message):
        place_order(corner_bar, order_type=order_types["shop"], actor=Actor.customer(alice), lines=[line])
    assert not Order.objects.exists()


def test_quantities_and_prices_are_stored_as_given(make_order):
    order = make_order("shop", lines=[LineInput("Wine", "1.5", "12"), LineInput("Gift wrap", "1E+1", None)])
    assert [(str(line.quantity), line.unit_price) for line in order.lines.order_by("position")] == [
        ("1.500", Decimal("12.00")),
        ("10.000", None),
    ]


def test_a_customer_cannot_order_for_another_customer(order_types, acme, alice):
    other = add_customer(acme, name="Other Bar")
    with pytest.raises(Forbidden):
        place_order(other, order_type=order_types["shop"], actor=Actor.customer(alice), title="x")


def test_the_contact_must_belong_to_the_customer(order_types, acme, corner_bar, olivia):
    other = add_customer(acme, name="Other Bar")
    stranger = add_contact(other, name="Stranger", email="s@other.example")
    with pytest.raises(ActionError, match="not one of this customer's contacts"):
        place_order(
            corner_bar, order_type=order_types["shop"], actor=Actor.staff(olivia), contact=stranger, title="x"
        )


def test_an_order_type_of_another_seller_is_refused(rival, corner_bar, alice):
    from orderflow.workflows.actions import install_order_type

    rival_type = install_order_type(rival, preset="shop", actor=Actor.system())
    with pytest.raises(ActionError, match="does not belong to this seller"):
        place_order(corner_bar, order_type=rival_type, actor=Actor.customer(alice), title="x")


def test_an_order_may_only_start_in_an_entry_state(make_order):
    flat_fee = make_order("services-marketplace", state="pending_approval")
    assert flat_fee.state == "pending_approval"
    with pytest.raises(ActionError, match="can only start as: Pending quotes, Pending approval"):
        make_order("services-marketplace", state="in_progress")


# ---------------------------------------------------------------------------------------------
# Distributor (000): Sent -> Seen when staff open it, nobody told; confirm with a note


def test_opening_an_order_marks_it_seen_once_and_tells_nobody(make_order, sam):
    order = make_order("distributor")
    order = mark_seen(order, actor=Actor.staff(sam))
    assert order.state == "seen"
    assert order.current_state.customer_label() == "Seen"
    seen, moved = order.events.exclude(type=EventType.PLACED)
    assert seen.type == EventType.SEEN
    assert not seen.customer_visible
    assert (moved.from_state, moved.to_state, moved.actor_kind, moved.data["notify"]) == (
        "sent",
        "seen",
        "system",
        [],
    )

    mark_seen(order, actor=Actor.staff(sam))
    assert order.events.count() == 3


def test_a_customer_opening_the_order_does_not_mark_it_seen(make_order, alice):
    order = mark_seen(make_order("distributor"), actor=Actor.customer(alice))
    assert order.state == "sent"
    assert order.seen_at is None


def test_confirm_order_received_keeps_the_note_and_notifies_the_contact(make_order, sam):
    order = mark_seen(make_order("distributor"), actor=Actor.staff(sam))
    assert [t.label() for t in available_transitions(order, Actor.staff(sam))] == ["Confirm order received"]
    order = transition_order(order, to="confirmed", actor=Actor.staff(sam), note="Entered in our system")
    event = order.events.last()
    assert (event.note, event.data["notify"]) == ("Entered in our system", ["contact"])
    assert order.current_state.customer_label() == "Order received"


def test_a_customer_cannot_confirm_their_own_order(make_order, alice):
    with pytest.raises(Forbidden, match="may not move this order to Confirmed"):
        transition_order(make_order("distributor"), to="confirmed", actor=Actor.customer(alice))


def test_the_customer_may_cancel_until_the_order_is_confirmed(make_order, alice, sam):
    cancel_order(make_order("distributor"), actor=Actor.customer(alice))
    confirmed = make_order("distributor", path=("confirmed",))
    with pytest.raises(NotAllowed, match="can no longer be cancelled by you"):
        cancel_order(confirmed, actor=Actor.customer(alice))
    assert cancel_order(confirmed, actor=Actor.staff(sam)).state == "cancelled"


def test_a_line_out_of_stock_is_substituted_by_its_backup(make_order, sam):
    order = make_order("distributor")
    line = order.lines.get()
    line = update_line(line, status=LineStatus.SUBSTITUTED, actor=Actor.staff(sam))
    assert line.substitute_description == "Orangeade"
    event = order.events.last()
    assert event.type == EventType.LINE_UPDATED
    assert event.data["substitute"] == "Orangeade"


def test_a_line_without_backup_needs_a_named_substitute(make_order, sam):
    order = make_order("distributor", lines=[LineInput("Rare cider", 1, "9")])
    with pytest.raises(ActionError, match="Name the substitute"):
        update_line(order.lines.get(), status=LineStatus.SUBSTITUTED, actor=Actor.staff(sam))
    line = update_line(
        order.lines.get(), status=LineStatus.SUBSTITUTED, substitute="Pear cider", actor=Actor.staff(sam)
    )
    assert line.substitute_description == "Pear cider"


# ---------------------------------------------------------------------------------------------
# Services marketplace (001): cancel rules per state, waiting needs a note, archive


def test_either_side_may_cancel_up_to_not_started_but_not_after(make_order, alice):
    order = make_order("services-marketplace", path=("approved", "not_started"))
    assert cancel_order(order, actor=Actor.customer(alice)).state == "cancelled"
    started = make_order("services-marketplace", path=("approved", "in_progress"))
    with pytest.raises(NotAllowed, match="In progress can no longer be cancelled"):
        cancel_order(started, actor=Actor.customer(alice))


def test_waiting_for_the_partner_needs_a_note(make_order, sam):
    order = make_order("services-marketplace", path=("approved", "in_progress"))
    with pytest.raises(ActionError, match="Add a note") as error:
        transition_order(order, to="waiting_for_partner", actor=Actor.staff(sam))
    assert error.value.code == "note_required"
    order = transition_order(
        order, to="waiting_for_partner", actor=Actor.staff(sam), note="Need the logo files"
    )
    assert order.state_category == "waiting"


def test_a_transition_that_takes_no_note_refuses_one(make_order, sam):
    order = make_order("services-marketplace", path=("approved", "in_progress", "complete"))
    with pytest.raises(ActionError, match="takes no note"):
        transition_order(order, to="archived", actor=Actor.staff(sam), note="bye")


def test_archiving_moves_to_archived_and_hides_the_order(make_order, sam):
    order = archive_order(
        make_order("services-marketplace", path=("approved", "in_progress", "complete")),
        actor=Actor.staff(sam),
    )
    assert (order.state, order.archived, order.is_final) == ("archived", True, True)
    assert order.events.last().type == EventType.ARCHIVED


def test_archiving_through_the_archive_transition_hides_the_order_too(make_order, sam):
    order = make_order("services-marketplace", path=("approved", "in_progress", "complete"))
    order = transition_order(order, to="archived", actor=Actor.staff(sam))
    assert order.archived
    assert order.events.last().type == EventType.ARCHIVED


def test_a_refund_while_cancelling_is_refused_where_the_workflow_does_not_offer_it(make_order, sam):
    with pytest.raises(ActionError, match="not refunded while cancelling"):
        cancel_order(make_order("distributor"), actor=Actor.staff(sam), refund_amount="5")


def test_error_messages_name_the_status_in_the_readers_language(make_order, order_types, olivia):
    order = make_order("shop", path=("ready_for_pickup", "picked_up"))
    for language, label in (("fr", "Ramassée"), ("en", "Picked up")):
        with translation.override(language), pytest.raises(NotAllowed) as refused:
            transition_order(order, to="cancelled", actor=Actor.staff(olivia))
        assert refused.value.code == "final_state"
        assert label in refused.value.message


def test_unassigning_an_unassigned_order_changes_nothing(make_order, olivia):
    order = make_order("shop")
    assert assign_order(order, assignee=None, actor=Actor.staff(olivia)).version == order.version


def test_only_complete_or_cancelled_orders_can_be_archived(make_order, sam):
    with pytest.raises(NotAllowed, match="Only complete or cancelled"):
        archive_order(make_order("services-marketplace", path=("approved",)), actor=Actor.staff(sam))
    with pytest.raises(NotAllowed, match="Only finished or cancelled"):
        archive_order(make_order("shop"), actor=Actor.staff(sam))
    assert archive_order(
        make_order("shop", path=("ready_for_pickup", "picked_up")), actor=Actor.staff(sam)
    ).archived


def test_estimated_completion_and_assignment_are_logged(make_order, sam, olivia):
    order = make_order("services-marketplace")
    order = set_estimated_completion(
        order, date=dt.date.today() + dt.timedelta(days=9), actor=Actor.staff(olivia)
    )
    order = assign_order(order, assignee=sam, actor=Actor.staff(olivia))
    assert order.assignee == sam
    estimate, assigned = order.events.exclude(type=EventType.PLACED)
    assert estimate.data["date"] == order.estimated_completion.isoformat()
    assert assigned.data == {"assignee_id": sam.pk, "assignee": "Sam"}
    assert not assigned.customer_visible


def test_an_estimate_before_the_order_was_placed_is_refused(make_order, sam):
    with pytest.raises(ActionError, match="cannot be before"):
        set_estimated_completion(make_order("shop"), date=dt.date(2001, 1, 1), actor=Actor.staff(sam))


def test_orders_can_only_be_assigned_to_staff_of_the_seller(make_order, sam, rita):
    with pytest.raises(ActionError, match="active staff of this seller"):
        assign_order(make_order("shop"), assignee=rita, actor=Actor.staff(sam))


def test_internal_notes_are_logged_without_their_text_and_hidden_from_customers(make_order, sam):
    order = edit_internal_notes(make_order("shop"), notes="Customer is a VIP", actor=Actor.staff(sam))
    assert order.internal_notes == "Customer is a VIP"
    event = order.events.last()
    assert event.type == EventType.INTERNAL_NOTES
    assert "VIP" not in str(event.data)
    assert not event.customer_visible


def test_customers_cannot_touch_staff_only_details(make_order, alice):
    order = make_order("shop")
    for attempt in (
        lambda: edit_internal_notes(order, notes="x", actor=Actor.customer(alice)),
        lambda: assign_order(order, assignee=None, actor=Actor.customer(alice)),
        lambda: refund_order(order, amount="1", reason="x", actor=Actor.customer(alice)),
    ):
        with pytest.raises(Forbidden):
            attempt()


# ---------------------------------------------------------------------------------------------
# Shop (002): cancel needs a reason, optional refund; picked up is final, refunds still allowed


def test_a_shop_cancellation_needs_a_reason(make_order, sam):
    order = make_order("shop")
    with pytest.raises(ActionError, match="reason for the cancellation"):
        cancel_order(order, actor=Actor.staff(sam))
    order.refresh_from_db()
    assert order.state == "newly_placed"


def test_a_shop_cancellation_may_refund_in_the_same_step(make_order, sam):
    order = cancel_order(
        make_order("shop"), actor=Actor.staff(sam), reason="Out of stock", refund_amount="37.50"
    )
    assert (order.state, order.cancel_reason, order.refunded_total()) == (
        "cancelled",
        "Out of stock",
        Decimal("37.50"),
    )
    assert [e.type for e in order.events.all()] == [EventType.PLACED, EventType.CANCELLED, EventType.REFUNDED]


def test_picked_up_is_final_but_refunds_remain_possible(make_order, sam):
    order = make_order("shop", path=("in_preparation", "ready_for_pickup", "picked_up"))
    assert order.is_final
    assert order.closed_at is not None
    with pytest.raises(NotAllowed, match="Picked up is final"):
        cancel_order(order, actor=Actor.staff(sam), reason="x")
    assert available_transitions(order, Actor.staff(sam)) == []
    refund_order(order, amount="10", reason="One bottle broken", actor=Actor.staff(sam))
    with pytest.raises(ActionError, match=r"At most \$27\.50 can still be refunded"):
        refund_order(order, amount="30", reason="again", actor=Actor.staff(sam))
    for amount, message in [
        ("0", "more than 0"),
        ("-5", "more than 0"),
        ("1.001", "at most 2 digits after the decimal point"),
        ("lots", "must be a number"),
        ("1e100", "must be less than"),
        ("Infinity", "must be a number"),
    ]:
        with pytest.raises(ActionError, match=message) as refused:
            refund_order(order, amount=amount, reason="bad", actor=Actor.staff(sam))
        assert refused.value.details == {"field": "amount"}
    assert order.refunds.count() == 1
    refund_order(order, amount="1E+1", reason="exponent form is a plain 10", actor=Actor.staff(sam))
    assert [str(r.amount) for r in order.refunds.order_by("pk")] == ["10.00", "10.00"]


def test_a_refund_needs_a_reason(make_order, sam):
    with pytest.raises(ActionError, match="reason for the refund"):
        refund_order(make_order("shop"), amount="1", reason=" ", actor=Actor.staff(sam))


def test_changing_the_shop_option_publishes_a_version_and_old_orders_keep_theirs(
    make_order, order_types, olivia
):
    before = make_order("shop")
    version = set_order_type_options(
        order_types["shop"], options={"fulfilment": "delivery"}, actor=Actor.staff(olivia)
    )
    after = make_order("shop")
    assert (before.workflow_version.number, version.number, after.workflow_version.number) == (1, 2, 2)
    assert (
        transition_order(before, to="ready_for_pickup", actor=Actor.staff(olivia)).state == "ready_for_pickup"
    )
    assert (
        transition_order(after, to="ready_for_delivery", actor=Actor.staff(olivia)).state
        == "ready_for_delivery"
    )
    with pytest.raises(ActionError):
        transition_order(after, to="picked_up", actor=Actor.staff(olivia))


def test_only_owners_and_managers_change_workflows(order_types, sam):
    with pytest.raises(Forbidden, match="owner or manager"):
        set_order_type_options(
            order_types["shop"], options={"fulfilment": "delivery"}, actor=Actor.staff(sam)
        )


# ---------------------------------------------------------------------------------------------
# Custom production (004) and reseller quotes (003)


def test_custom_doors_can_be_cancelled_until_production_starts(make_order, alice):
    ready = make_order("custom-production", path=("measurements", "design_agreed", "materials_selected"))
    assert cancel_order(ready, actor=Actor.customer(alice)).state == "cancelled"
    producing = make_order("custom-production", path=("measurements", "design_agreed", "materials_selected",
                                                       "in_production"))  # fmt: skip
    with pytest.raises(NotAllowed):
        cancel_order(producing, actor=Actor.customer(alice))


def test_only_the_customer_accepts_the_terms_of_a_quote(make_order, alice, sam):
    order = make_order("quote-to-order", path=("confirmation_sent",))
    with pytest.raises(Forbidden):
        transition_order(order, to="terms_accepted", actor=Actor.staff(sam))
    order = transition_order(order, to="terms_accepted", actor=Actor.customer(alice))
    order = transition_order(order, to="order_placed", actor=Actor.staff(sam))
    assert order.events.last().data["notify"] == ["contact"]
    # Buttons offer neither: the approval page and "Progress quote" make them (quotes, 003).


# ---------------------------------------------------------------------------------------------
# Concurrency, tenancy, the log itself


def test_a_stale_version_is_refused_and_changes_nothing(make_order, sam, olivia):
    order = make_order("shop")
    opened_at = order.version
    assign_order(order, assignee=sam, actor=Actor.staff(olivia), expected_version=opened_at)
    with pytest.raises(Conflict, match="changed since you opened it"):
        transition_order(order, to="in_preparation", actor=Actor.staff(sam), expected_version=opened_at)
    order.refresh_from_db()
    assert order.state == "newly_placed"


def test_staff_of_another_seller_cannot_touch_an_order(make_order, rita):
    order = make_order("shop")
    for attempt in (
        lambda: transition_order(order, to="in_preparation", actor=Actor.staff(rita)),
        lambda: cancel_order(order, actor=Actor.staff(rita), reason="x"),
        lambda: assign_order(order, assignee=None, actor=Actor.staff(rita)),
        lambda: refund_order(order, amount="1", reason="x", actor=Actor.staff(rita)),
        lambda: edit_internal_notes(order, notes="x", actor=Actor.staff(rita)),
        lambda: set_estimated_completion(order, date=None, actor=Actor.staff(rita)),
        lambda: archive_order(order, actor=Actor.staff(rita)),
    ):
        with pytest.raises(Forbidden):
            attempt()
    assert order.events.count() == 1


def test_the_contact_of_another_customer_cannot_cancel(make_order, acme):
    stranger = add_contact(add_customer(acme, name="Other"), name="Eve", email="eve@other.example")
    with pytest.raises(Forbidden, match="not yours"):
        cancel_order(make_order("distributor"), actor=Actor.customer(stranger))


def test_the_activity_log_cannot_be_edited_or_deleted(make_order):
    event = make_order("shop").events.get()
    event.note = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        OrderEvent.objects.all().update(note="x")
    with pytest.raises(TypeError):
        OrderEvent.objects.all().delete()
