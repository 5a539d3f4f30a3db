"""Placing orders from the catalogue, the totals with taxes, and changing lines after placing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderflow.accounts.actions import add_contact, add_customer
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, NotAllowed
from orderflow.notifications.models import Notification
from orderflow.orders.actions import (
    LineInput,
    add_line,
    check_order,
    edit_line,
    order_type_for_items,
    place_order,
    remove_line,
    transition_order,
)
from orderflow.orders.models import EventType, LineStatus, Order, OrderEvent
from orderflow.orders.shapes import order_shape
from orderflow.orders.tests.catalogue import make_item, small_catalogue
from orderflow.workflows.actions import set_order_type_options
from orderflow.workflows.definition import WorkflowError, parse


@pytest.fixture
def items(acme):
    return small_catalogue(acme)


@pytest.fixture
def distributor(order_types):
    return order_types["distributor"]


def place(corner_bar, distributor, actor, *lines, **kwargs):
    return place_order(corner_bar, order_type=distributor, actor=actor, lines=list(lines), **kwargs)


def test_a_catalogue_line_copies_name_price_and_tax_and_the_totals_add_the_tax(
    corner_bar, distributor, alice, items
):
    order = place(
        corner_bar,
        distributor,
        Actor.customer(alice),
        LineInput(item_id=items["lager"].pk, quantity="2", backup_item_id=items["ale"].pk),
        LineInput("Ice bags", 3, "2.50"),
    )
    lager, _ice = order.lines.order_by("position")
    assert (lager.description, lager.sku, lager.unit_price, lager.tax_rate) == (
        "Lager keg",
        "LAGER",
        Decimal("100.00"),
        Decimal("15.000"),
    )
    assert lager.item == items["lager"]
    assert lager.backup_item == items["ale"]
    assert lager.backup_description == "Pale ale keg"
    totals = order.totals()
    assert (totals.subtotal, totals.tax, totals.total) == (
        Decimal("207.50"),
        Decimal("30.00"),
        Decimal("237.50"),
    )
    shape = order_shape(order)
    assert (shape["subtotal"], shape["tax"], shape["total"]) == ("207.50", "30.00", "237.50")
    assert shape["lines"][0]["item_id"] == items["lager"].pk
    assert shape["lines"][0]["backup_item_id"] == items["ale"].pk


def test_changing_the_catalogue_later_does_not_rewrite_the_order(corner_bar, distributor, alice, items):
    order = place(corner_bar, distributor, Actor.customer(alice), LineInput(item_id=items["ale"].pk))
    items["ale"].unit_price = Decimal("999")
    items["ale"].save()
    assert order.lines.get().unit_price == Decimal("120.00")


def by_item(name, **fields):
    """A line of one of the small catalogue's items ("rival": the other seller's), given the items."""
    return lambda i, rival: LineInput(item_id=(rival if name == "rival" else i[name]).pk, **fields)


def backup(name):
    return lambda i, rival: LineInput(
        item_id=i["lager"].pk, backup_item_id=(rival if name == "rival" else i[name]).pk
    )


@pytest.mark.parametrize(
    ("line", "code", "field"),
    [
        (lambda i, r: LineInput(item_id=999_999), "unknown_item", "item_id"),
        (by_item("rival"), "unknown_item", "item_id"),
        (by_item("stout"), "item_discontinued", "item_id"),
        (by_item("cider"), "item_out_of_stock", "item_id"),
        (by_item("visit", unit_price="80"), "price_from_catalogue", "unit_price"),
        (by_item("ale", unit_price="80"), "price_from_catalogue", "unit_price"),
        (backup("rival"), "unknown_backup_item", "backup_item_id"),
        (backup("cider"), "item_out_of_stock", "backup_item_id"),
        (backup("stout"), "item_discontinued", "backup_item_id"),
        (backup("lager"), "invalid_backup_item", "backup_item_id"),
        (backup("visit"), "invalid_backup_item", "backup_item_id"),
        (by_item("ale", quantity=0), "invalid_quantity", "quantity"),
        (by_item("ale", quantity="-2"), "invalid_quantity", "quantity"),
        (by_item("ale", quantity="two"), "invalid_quantity", "quantity"),
        (by_item("ale", quantity="1000000.001"), "invalid_quantity", "quantity"),
        (by_item("ale", quantity="1e100"), "invalid_quantity", "quantity"),
        (lambda i, r: LineInput("Ice", 1, "2.505"), "invalid_price", "unit_price"),
        (lambda i, r: LineInput("Ice", 1, "-1"), "invalid_price", "unit_price"),
        (lambda i, r: LineInput("Ice", backup_item_id=i["ale"].pk), "backup_without_item", "backup_item_id"),
    ],
)
def test_bad_lines_are_refused_by_code_and_field_and_nothing_is_saved(
    corner_bar, distributor, alice, items, rival, line, code, field
):
    rivals_item = make_item(rival, "R1", "Rival keg")
    good = LineInput(item_id=items["ale"].pk)
    with pytest.raises(ActionError) as refused:
        place(corner_bar, distributor, Actor.customer(alice), line(items, rivals_item), good)
    assert refused.value.code == code
    assert refused.value.details["field"] == f"lines.0.{field}"
    assert refused.value.details["line"] == 1
    assert not Order.objects.exists()


def test_the_second_line_is_named_when_it_is_the_bad_one(corner_bar, distributor, alice, items):
    with pytest.raises(ActionError) as refused:
        place(
            corner_bar,
            distributor,
            Actor.customer(alice),
            LineInput(item_id=items["ale"].pk),
            LineInput(item_id=items["ale"].pk, quantity="1000001"),
        )
    assert refused.value.details == {"field": "lines.1.quantity", "line": 2}


def test_a_million_is_the_largest_quantity(corner_bar, distributor, alice, items):
    order = place(
        corner_bar, distributor, Actor.customer(alice), LineInput(item_id=items["ale"].pk, quantity="1000000")
    )
    assert order.lines.get().quantity == Decimal("1000000")


def test_out_of_stock_items_can_be_ordered_where_the_seller_allows_backorders(
    acme, corner_bar, distributor, alice, items
):
    acme.allow_backorders = True
    acme.save()
    items["cider"].refresh_from_db()
    order = place(corner_bar, distributor, Actor.customer(alice), LineInput(item_id=items["cider"].pk))
    assert order.lines.get().item == items["cider"]


def test_a_quote_item_is_ordered_without_a_price_and_staff_may_price_it(
    corner_bar, distributor, alice, olivia, items
):
    order = place(corner_bar, distributor, Actor.customer(alice), LineInput(item_id=items["visit"].pk))
    assert order.lines.get().unit_price is None
    priced = place(
        corner_bar, distributor, Actor.staff(olivia), LineInput(item_id=items["visit"].pk, unit_price="80")
    )
    assert priced.lines.get().unit_price == Decimal("80.00")


def test_a_contact_of_another_customer_is_refused(acme, corner_bar, distributor, olivia, items):
    other = add_contact(add_customer(acme, name="Other Bar"), name="Oscar", email="oscar@other.example")
    with pytest.raises(ActionError) as refused:
        place(corner_bar, distributor, Actor.staff(olivia), LineInput(item_id=items["ale"].pk), contact=other)
    assert (refused.value.code, refused.value.details["field"]) == ("contact_not_of_customer", "contact")
    assert not Order.objects.exists()


def test_staff_place_a_phone_order_on_behalf_of_the_contact(corner_bar, distributor, olivia, bruno, items):
    order = place(
        corner_bar, distributor, Actor.staff(olivia), LineInput(item_id=items["ale"].pk), contact=bruno
    )
    placed = order.events.get(type=EventType.PLACED)
    assert placed.actor_kind == "staff"
    assert placed.data["on_behalf_of"] == {"id": bruno.pk, "name": "Bruno Petit"}
    assert order.placed_by == bruno


def test_check_order_judges_without_writing(corner_bar, distributor, alice, items):
    checked = check_order(
        corner_bar,
        order_type=distributor,
        actor=Actor.customer(alice),
        lines=[LineInput(item_id=items["lager"].pk)],
    )
    assert checked.totals.total == Decimal("115.00")
    assert not Order.objects.exists()
    with pytest.raises(ActionError) as refused:
        check_order(corner_bar, order_type=distributor, actor=Actor.customer(alice), lines=[])
    assert refused.value.code == "empty_order"


def test_items_of_different_order_types_are_ordered_separately(acme, order_types, items):
    items["ale"].order_type = order_types["shop"]
    items["ale"].save()
    assert order_type_for_items(acme, [items["lager"]]) == order_types["custom-production"]  # the first
    assert order_type_for_items(acme, [items["ale"]]) == order_types["shop"]
    with pytest.raises(ActionError) as refused:
        order_type_for_items(acme, [items["ale"], items["lager"]])
    assert refused.value.code == "mixed_order_types"


def test_an_item_of_another_order_type_is_refused_on_this_one(corner_bar, order_types, alice, items):
    items["ale"].order_type = order_types["shop"]
    items["ale"].save()
    with pytest.raises(ActionError) as refused:
        place(
            corner_bar, order_types["distributor"], Actor.customer(alice), LineInput(item_id=items["ale"].pk)
        )
    assert refused.value.code == "item_wrong_order_type"


# ---------------------------------------------------------------------------------------------
# Pickup or delivery chosen by the customer (002)


def test_the_shop_may_leave_pickup_or_delivery_to_each_order(corner_bar, order_types, alice, olivia, items):
    shop = order_types["shop"]
    set_order_type_options(shop, options={"fulfilment": "customer_chooses"}, actor=Actor.system())
    with pytest.raises(ActionError) as refused:
        place(corner_bar, shop, Actor.customer(alice), LineInput(item_id=items["ale"].pk))
    assert (refused.value.code, refused.value.details["field"]) == ("option_required", "fulfilment")
    delivered = place(
        corner_bar,
        shop,
        Actor.customer(alice),
        LineInput(item_id=items["ale"].pk),
        options={"fulfilment": "delivery"},
    )
    picked = place(
        corner_bar,
        shop,
        Actor.customer(alice),
        LineInput(item_id=items["ale"].pk),
        options={"fulfilment": "pickup"},
    )
    assert (delivered.fulfilment, picked.fulfilment) == ("delivery", "pickup")
    # The workflow's `when = { fulfilment = ... }` reads each order's own choice.
    with pytest.raises(NotAllowed):
        transition_order(delivered, to="ready_for_pickup", actor=Actor.staff(olivia))
    assert (
        transition_order(delivered, to="ready_for_delivery", actor=Actor.staff(olivia)).state
        == "ready_for_delivery"
    )
    assert (
        transition_order(picked, to="ready_for_pickup", actor=Actor.staff(olivia)).state == "ready_for_pickup"
    )


def test_a_shop_that_decides_takes_no_choice_from_the_order(corner_bar, order_types, alice, items):
    with pytest.raises(ActionError) as refused:
        place(
            corner_bar,
            order_types["shop"],
            Actor.customer(alice),
            LineInput(item_id=items["ale"].pk),
            options={"fulfilment": "delivery"},
        )
    assert refused.value.code == "unknown_option"


# ---------------------------------------------------------------------------------------------
# lines_editable in the workflow definition


MINIMAL = {
    "key": "w",
    "name": "W",
    "initial": "new",
    "states": [
        {"key": "new", "label": "New", "category": "open"},
        {"key": "busy", "label": "Busy", "category": "active"},
        {"key": "done", "label": "Done", "category": "done", "final": True},
    ],
    "transitions": [
        {"from": "new", "to": "busy", "by": ["staff"]},
        {"from": "busy", "to": "done", "by": ["staff"]},
    ],
}


def test_by_default_only_the_first_state_lets_lines_change():
    workflow = parse(MINIMAL)
    assert [key for key in workflow.states if workflow.lines_editable(key)] == ["new"]


def test_a_state_that_says_so_is_the_only_one_editable():
    states = [
        dict(MINIMAL["states"][0], lines_editable=False),
        dict(MINIMAL["states"][1], lines_editable=True),
    ]
    workflow = parse({**MINIMAL, "states": [*states, MINIMAL["states"][2]]})
    assert [key for key in workflow.states if workflow.lines_editable(key)] == ["busy"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lines_editable": "yes"}, "lines_editable must be true or false"),
        (
            {"lines_editable": True, "final": True, "category": "done"},
            "a final state cannot have lines_editable",
        ),
    ],
)
def test_the_loader_refuses_a_bad_lines_editable(change, message):
    states = [MINIMAL["states"][0], MINIMAL["states"][1], dict(MINIMAL["states"][2], **change)]
    with pytest.raises(WorkflowError, match=message):
        parse({**MINIMAL, "states": states})


def test_the_presets_let_lines_change_early_only(order_types):
    editable = {
        key: [
            state
            for state in t.current_version.workflow.states
            if t.current_version.workflow.lines_editable(state)
        ]
        for key, t in order_types.items()
    }
    assert editable["distributor"] == ["sent", "seen"]
    assert editable["shop"] == ["newly_placed", "in_preparation"]
    assert all(editable.values())


# ---------------------------------------------------------------------------------------------
# Editing lines after placing


@pytest.fixture
def placed(corner_bar, distributor, alice, items):
    return place(
        corner_bar,
        distributor,
        Actor.customer(alice),
        LineInput(item_id=items["lager"].pk, quantity=2, backup_item_id=items["ale"].pk),
        LineInput("Ice bags", 3, "2.50"),
    )


def told_customer(order) -> list[str]:
    return list(
        Notification.objects.filter(
            order=order, template="order_lines_changed", contact__isnull=False
        ).values_list("contact__name", flat=True)
    )


def test_staff_change_a_quantity_and_price_logged_before_and_after_and_the_customer_is_told(
    placed, sam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        line = edit_line(placed, position=1, quantity="3", unit_price="95.00", actor=Actor.staff(sam))
    assert (line.quantity, line.unit_price) == (Decimal("3"), Decimal("95.00"))
    event = placed.events.filter(type=EventType.LINE_UPDATED).get()
    assert event.data["before"] == {"quantity": "2", "unit_price": "100.00"}
    assert event.data["after"] == {"quantity": "3", "unit_price": "95.00"}
    assert told_customer(placed) == ["Alice Martin"]
    assert placed.totals().total == Decimal("335.25")  # 285 + 15 % + 7.50


def test_changing_nothing_writes_nothing(placed, sam):
    edit_line(placed, position=1, quantity="2", actor=Actor.staff(sam))
    assert not placed.events.filter(type=EventType.LINE_UPDATED).exists()


def test_out_of_stock_then_substituted_by_the_backup_item(placed, sam, items):
    edit_line(placed, position=1, status=LineStatus.OUT_OF_STOCK, actor=Actor.staff(sam))
    assert placed.totals().subtotal == Decimal("7.50")  # out of stock counts for nothing
    line = edit_line(placed, position=1, status=LineStatus.SUBSTITUTED, actor=Actor.staff(sam))
    assert (line.substitute_item, line.substitute_description) == (items["ale"], "Pale ale keg")
    assert told_customer(placed) == ["Alice Martin", "Alice Martin"]


def test_substituted_by_another_catalogue_item_but_never_another_sellers(placed, sam, rival, acme):
    cola = make_item(acme, "COLA", "Cola case", "20")
    rivals = make_item(rival, "R", "Rival cola", "20")
    with pytest.raises(ActionError) as refused:
        edit_line(
            placed, position=1, status="substituted", substitute_item_id=rivals.pk, actor=Actor.staff(sam)
        )
    assert refused.value.code == "unknown_item"
    line = edit_line(
        placed, position=1, status="substituted", substitute_item_id=cola.pk, actor=Actor.staff(sam)
    )
    assert line.substitute_item == cola


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"quantity": "0"}, "invalid_quantity"),
        ({"quantity": "abc"}, "invalid_quantity"),
        ({"quantity": "2000000"}, "invalid_quantity"),
        ({"unit_price": "1.999"}, "invalid_price"),
        ({"status": "lost"}, "invalid_status"),
        ({"position": 9}, "unknown_line"),
    ],
)
def test_bad_line_changes_are_refused(placed, sam, change, code):
    change = {"position": 1, **change}
    with pytest.raises(ActionError) as refused:
        edit_line(placed, actor=Actor.staff(sam), **change)
    assert refused.value.code == code
    assert placed.lines.get(position=1).quantity == Decimal("2")


def test_lines_are_locked_once_the_state_does_not_allow_changes(placed, sam):
    transition_order(placed, to="confirmed", actor=Actor.staff(sam))
    for change in (
        lambda: edit_line(placed, position=1, quantity="5", actor=Actor.staff(sam)),
        lambda: add_line(placed, line=LineInput("Ice", 1, "2"), actor=Actor.staff(sam)),
        lambda: remove_line(placed, position=2, actor=Actor.staff(sam)),
    ):
        with pytest.raises(NotAllowed) as refused:
            change()
        assert refused.value.code == "lines_locked"


def test_customers_cannot_edit_lines(placed, alice):
    with pytest.raises(ActionError) as refused:
        edit_line(placed, position=1, quantity="5", actor=Actor.customer(alice))
    assert refused.value.code == "forbidden"


def test_staff_of_another_seller_cannot_edit_lines(placed, rita):
    with pytest.raises(ActionError) as refused:
        edit_line(placed, position=1, quantity="5", actor=Actor.staff(rita))
    assert refused.value.code == "forbidden"


def test_lines_added_and_removed_are_logged_and_told(placed, sam, items):
    added = add_line(placed, line=LineInput(item_id=items["ale"].pk, quantity=1), actor=Actor.staff(sam))
    assert (added.position, added.unit_price) == (3, Decimal("120.00"))
    remove_line(placed, position=2, actor=Actor.staff(sam))
    assert list(placed.lines.values_list("position", flat=True)) == [1, 3]
    changes = [e.data["change"] for e in OrderEvent.objects.filter(order=placed, type=EventType.LINE_UPDATED)]
    assert changes == ["added", "removed"]
    assert len(told_customer(placed)) == 2
    remove_line(placed, position=3, actor=Actor.staff(sam))
    with pytest.raises(NotAllowed) as refused:
        remove_line(placed, position=1, actor=Actor.staff(sam))
    assert refused.value.code == "last_line"


def test_another_sellers_item_cannot_be_added(placed, sam, rival):
    with pytest.raises(ActionError) as refused:
        add_line(placed, line=LineInput(item_id=make_item(rival, "R", "Rival").pk), actor=Actor.staff(sam))
    assert refused.value.code == "unknown_item"
    assert placed.lines.count() == 2


def test_a_stale_edit_is_refused(placed, sam):
    with pytest.raises(ActionError) as refused:
        edit_line(
            placed, position=1, quantity="5", actor=Actor.staff(sam), expected_version=placed.version + 5
        )
    assert refused.value.code == "stale"
