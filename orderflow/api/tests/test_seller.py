"""What the seller is set up with: order types with their workflows, and its staff."""

from __future__ import annotations

from orderflow.accounts.actions import deactivate_staff
from orderflow.core.actors import Actor


def test_order_types_carry_their_workflow_states_and_transitions(api, order_types):
    types = {t["key"]: t for t in api.get("/order-types").json()}
    assert set(types) == set(order_types)
    shop = types["shop"]["workflow"]
    assert shop["initial"] == "newly_placed"
    state = next(s for s in shop["states"] if s["key"] == "newly_placed")
    assert set(state) == {"key", "label", "customer_label", "category", "final", "entry", "cancel_by"}
    assert state["entry"] is True
    assert state["cancel_by"] == ["staff"]
    move = next(t for t in shop["transitions"] if t["to"] == "in_preparation")
    assert move["from"] == "newly_placed"
    assert move["by"] == ["staff"]
    assert move["note"] in ("none", "optional", "required")


def test_staff_lists_the_active_members_orders_can_go_to(api, olivia, sam):
    assert api.get("/staff").json() == [
        {"id": olivia.pk, "name": "Olivia", "role": "owner"},
        {"id": sam.pk, "name": "Sam", "role": "staff"},
    ]
    deactivate_staff(sam, actor=Actor.staff(olivia))
    assert [s["name"] for s in api.get("/staff").json()] == ["Olivia"]
