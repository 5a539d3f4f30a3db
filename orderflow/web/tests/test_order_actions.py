"""Each change made from the order page goes through its action; refusals change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orderflow.orders.models import EventType, LineStatus
from orderflow.web.tests.conftest import order_url


def opened(client, order):
    """Open the order page (which may mark it seen) and return the order as the page showed it."""
    assert client.get(order_url(order)).status_code == 200
    order.refresh_from_db()
    return order


def snapshot(order):
    order.refresh_from_db()
    return (order.state, order.version, order.events.count(), order.refunds.count(), order.assignee_id)


def test_confirming_a_distributor_order_with_a_note_appears_in_the_log(as_olivia, make_order):
    order = opened(as_olivia, make_order("distributor"))

    response = as_olivia.post(
        order_url(order, "order_transition"),
        {"to": "confirmed", "note": "Entered in our system, delivery Friday", "version": order.version},
        follow=True,
    )

    order.refresh_from_db()
    page = response.content.decode()
    assert order.state == "confirmed"
    assert "Status changed to Confirmed." in page
    assert "Status changed from Seen to Confirmed" in page
    assert "Entered in our system, delivery Friday" in page
    event = order.events.last()
    assert (event.type, event.actor_name, event.note) == (
        EventType.TRANSITIONED,
        "Olivia",
        "Entered in our system, delivery Friday",
    )


def test_a_refused_transition_shows_why_and_changes_nothing(as_olivia, make_order):
    order = opened(as_olivia, make_order("distributor"))
    before = snapshot(order)

    response = as_olivia.post(
        order_url(order, "order_transition"), {"to": "delivered", "note": "", "version": order.version}
    )

    assert response.status_code == 409
    assert "An order that is Seen cannot move to Delivered." in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert snapshot(order) == before


def test_a_transition_to_an_unknown_status_is_refused(as_olivia, make_order):
    order = opened(as_olivia, make_order("distributor"))
    before = snapshot(order)

    response = as_olivia.post(
        order_url(order, "order_transition"), {"to": "teleported", "version": order.version}
    )

    assert response.status_code == 400
    assert "&#x27;teleported&#x27; is not a status of Wholesale order orders." in response.content.decode()
    assert snapshot(order) == before


def test_a_stale_version_is_refused_as_changed_since_opened(as_olivia, make_order):
    order = opened(as_olivia, make_order("distributor"))
    stale = order.version - 1
    before = snapshot(order)

    response = as_olivia.post(
        order_url(order, "order_transition"), {"to": "confirmed", "version": stale}, follow=True
    )

    assert "This order changed since you opened it" in response.content.decode()
    assert snapshot(order) == before


def test_a_missing_version_is_refused_before_the_action(as_olivia, make_order):
    order = opened(as_olivia, make_order("distributor"))
    before = snapshot(order)

    response = as_olivia.post(order_url(order, "order_transition"), {"to": "confirmed"})

    assert response.status_code == 400
    assert "This form is incomplete. Reload the order and try again." in response.content.decode()
    assert snapshot(order) == before


def test_a_required_note_is_asked_for(as_olivia, make_order):
    order = opened(as_olivia, make_order("services-marketplace", path=("approved", "in_progress")))

    response = as_olivia.post(
        order_url(order, "order_transition"),
        {"to": "waiting_for_partner", "note": "", "version": order.version},
    )

    assert "Add a note to move this order to Waiting for partner." in response.content.decode()
    order.refresh_from_db()
    assert order.state == "in_progress"


def test_cancelling_a_shop_order_without_a_reason_is_refused(as_olivia, make_order):
    order = opened(as_olivia, make_order("shop"))
    before = snapshot(order)

    response = as_olivia.post(order_url(order, "order_cancel"), {"reason": "", "version": order.version})

    assert "Give the customer a reason for the cancellation." in response.content.decode()
    assert snapshot(order) == before


def test_cancelling_a_shop_order_with_a_reason_and_a_refund(as_olivia, make_order):
    order = opened(as_olivia, make_order("shop", path=("in_preparation",)))

    response = as_olivia.post(
        order_url(order, "order_cancel"),
        {"reason": "The oven broke down", "refund_amount": "37.50", "version": order.version},
        follow=True,
    )

    order.refresh_from_db()
    page = response.content.decode()
    assert order.state == "cancelled"
    assert order.cancel_reason == "The oven broke down"
    assert [refund.amount for refund in order.refunds.all()] == [Decimal("37.50")]
    assert "Order cancelled and $37.50 refunded." in page
    assert "Cancelled (was In preparation)" in page
    assert "Refunded $37.50" in page


def test_a_refund_larger_than_the_order_cancels_nothing(as_olivia, make_order):
    order = opened(as_olivia, make_order("shop"))
    before = snapshot(order)

    response = as_olivia.post(
        order_url(order, "order_cancel"),
        {"reason": "Sold out", "refund_amount": "99", "version": order.version},
    )

    assert "At most $37.50 can still be refunded on this order." in response.content.decode()
    assert snapshot(order) == before


def test_refunding_after_the_shop_order_was_picked_up(as_olivia, make_order):
    order = opened(as_olivia, make_order("shop", path=("ready_for_pickup", "picked_up")))

    response = as_olivia.post(
        order_url(order, "order_refund"), {"amount": "12.50", "reason": "One bottle was broken"}, follow=True
    )

    order.refresh_from_db()
    page = response.content.decode()
    assert order.state == "picked_up"
    assert order.refunded_total() == Decimal("12.50")
    assert "Refunded $12.50." in page
    assert "One bottle was broken" in page
    assert "Up to $25.00 can be refunded" in page


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"amount": "a lot", "reason": "Broken"}, "Amount ($): Enter a number."),
        ({"amount": "-3", "reason": "Broken"}, "Ensure this value is greater than or equal to 0.01."),
        ({"amount": "1.005", "reason": "Broken"}, "Ensure that there are no more than 2 decimal places."),
        ({"amount": "5", "reason": ""}, "Give a reason for the refund."),
    ],
)
def test_a_bad_refund_is_explained_and_nothing_is_refunded(as_olivia, make_order, payload, message):
    order = opened(as_olivia, make_order("shop"))

    response = as_olivia.post(order_url(order, "order_refund"), payload)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert order.refunds.count() == 0


def test_assigning_and_unassigning(as_olivia, make_order, sam):
    order = opened(as_olivia, make_order("custom-production"))

    response = as_olivia.post(
        order_url(order, "order_assign"), {"assignee": sam.pk, "version": order.version}, follow=True
    )
    order.refresh_from_db()
    assert order.assignee == sam
    assert "Assigned to Sam." in response.content.decode()

    response = as_olivia.post(
        order_url(order, "order_assign"), {"assignee": "", "version": order.version}, follow=True
    )
    order.refresh_from_db()
    assert order.assignee is None
    assert "Unassigned" in response.content.decode()


def test_assigning_to_staff_of_another_seller_is_refused(as_olivia, make_order, rita):
    order = opened(as_olivia, make_order("custom-production"))
    before = snapshot(order)

    response = as_olivia.post(
        order_url(order, "order_assign"), {"assignee": rita.pk, "version": order.version}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert snapshot(order) == before


def test_setting_and_clearing_the_estimated_completion(as_olivia, make_order):
    order = opened(as_olivia, make_order("services-marketplace"))
    day = dt.date.today() + dt.timedelta(days=10)

    as_olivia.post(
        order_url(order, "order_estimate"),
        {"estimated_completion": day.isoformat(), "version": order.version},
    )
    order.refresh_from_db()
    assert order.estimated_completion == day

    as_olivia.post(order_url(order, "order_estimate"), {"estimated_completion": "", "version": order.version})
    order.refresh_from_db()
    assert order.estimated_completion is None


def test_a_bad_estimated_completion_date_is_a_field_error(as_olivia, make_order):
    order = opened(as_olivia, make_order("services-marketplace"))
    before = snapshot(order)

    response = as_olivia.post(
        order_url(order, "order_estimate"), {"estimated_completion": "next tuesday", "version": order.version}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert '<p class="error">Enter a valid date.</p>' in page
    assert 'value="next tuesday"' in page  # what was typed is kept
    assert snapshot(order) == before


def test_an_estimate_before_the_order_was_placed_is_refused(as_olivia, make_order):
    order = opened(as_olivia, make_order("services-marketplace"))

    response = as_olivia.post(
        order_url(order, "order_estimate"), {"estimated_completion": "2001-01-01", "version": order.version}
    )

    assert "The estimated completion cannot be before the order was placed." in response.content.decode()


def test_editing_internal_notes(as_olivia, make_order):
    order = opened(as_olivia, make_order("quote-to-order"))

    response = as_olivia.post(
        order_url(order, "order_notes"),
        {"internal_notes": "Customer's legal team reviews every clause.", "version": order.version},
        follow=True,
    )

    order.refresh_from_db()
    assert order.internal_notes == "Customer's legal team reviews every clause."
    assert "Internal notes saved." in response.content.decode()
    assert "Customer&#x27;s legal team reviews every clause." in response.content.decode()


def test_substituting_a_line_defaults_to_its_backup_item(as_olivia, make_order):
    order = opened(as_olivia, make_order("distributor"))

    response = as_olivia.post(
        order_url(order, "order_line", position=1),
        {"status": LineStatus.SUBSTITUTED, "substitute": "", "version": order.version},
        follow=True,
    )

    line = order.lines.get()
    assert (line.status, line.substitute_description) == (LineStatus.SUBSTITUTED, "Orangeade")
    assert "Line 1 saved." in response.content.decode()
    assert "Crate of lemonade replaced by Orangeade" in response.content.decode()


def test_marking_a_line_out_of_stock_and_an_unknown_line(as_olivia, make_order):
    order = opened(as_olivia, make_order("distributor"))

    as_olivia.post(
        order_url(order, "order_line", position=1),
        {"status": LineStatus.OUT_OF_STOCK, "version": order.version},
    )
    missing = as_olivia.post(
        order_url(order, "order_line", position=9),
        {"status": LineStatus.OUT_OF_STOCK, "version": order.version},
    )

    assert order.lines.get().status == LineStatus.OUT_OF_STOCK
    assert missing.status_code == 404


def test_archiving_a_complete_order_hides_it_from_the_list(as_olivia, make_order):
    order = opened(
        as_olivia, make_order("services-marketplace", path=("approved", "in_progress", "complete"))
    )

    response = as_olivia.post(order_url(order, "order_archive"), {"version": order.version}, follow=True)

    order.refresh_from_db()
    assert (order.archived, order.state) == (True, "archived")
    assert "Order archived" in response.content.decode()
    listing = as_olivia.get("/s/acme/orders/").content.decode()
    assert order.title not in listing


def test_archiving_an_order_in_progress_is_refused(as_olivia, make_order):
    order = opened(as_olivia, make_order("services-marketplace", path=("approved", "in_progress")))
    before = snapshot(order)

    response = as_olivia.post(order_url(order, "order_archive"), {"version": order.version})

    assert "Only complete or cancelled orders can be archived." in response.content.decode()
    assert snapshot(order) == before


def test_action_urls_only_take_posts(as_olivia, make_order):
    order = opened(as_olivia, make_order("distributor"))

    assert as_olivia.get(order_url(order, "order_transition")).status_code == 405
