"""Random sequences of actions against every preset, checked against a model of the workflow:
only declared transitions happen, final is final, and every change is logged exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.orders.actions import (
    LineInput,
    archive_order,
    assign_order,
    cancel_order,
    mark_seen,
    place_order,
    refund_order,
    transition_order,
)
from orderflow.orders.models import EventType, Order
from orderflow.workflows.loader import preset_keys

PARTIES = ("staff", "customer", "system")
STATE_EVENTS = (EventType.TRANSITIONED, EventType.CANCELLED, EventType.ARCHIVED)


@pytest.mark.parametrize("preset", preset_keys())
def test_random_action_sequences_keep_the_workflow_invariants(preset, order_types, corner_bar, alice, sam):
    order_type = order_types[preset]
    workflow = order_type.current_version.workflow
    actors = {"staff": Actor.staff(sam), "customer": Actor.customer(alice), "system": Actor.system()}

    class OrderMachine(RuleBasedStateMachine):
        order: Order
        state: str
        version: int
        moves: int
        reached_final: str | None

        @initialize(entry=st.sampled_from(workflow.entry_states))
        def place(self, entry):
            self.order = place_order(
                corner_bar, order_type=order_type, actor=actors["customer"], title="Random", state=entry,
                lines=[LineInput("Widget", 1, "10.00")],
            )  # fmt: skip
            self.state, self.version, self.moves, self.reached_final = entry, 1, 0, None
            self.refunded = Decimal(0)

        def _attempt(self, change, *, expected: bool, moves_state: bool = True):
            try:
                self.order = change()
            except ActionError:
                assert not expected, "a permitted change was refused"
                return
            assert expected, "a change the workflow forbids was accepted"
            self.version += 1
            if moves_state:
                self.moves += 1
            self.state = self.order.state

        @rule(to=st.sampled_from(list(workflow.states)), party=st.sampled_from(PARTIES), note=st.booleans())
        def move(self, to, party, note):
            transition = workflow.transition(self.state, to)
            expected = (
                transition is not None
                and not workflow.state(self.state).final
                and party in transition.by
                and not (transition.note == "required" and not note)
                and not (transition.note == "none" and note)
            )
            self._attempt(
                lambda: transition_order(
                    self.order, to=to, actor=actors[party], note="a note" if note else ""
                ),
                expected=expected,
            )

        @rule(party=st.sampled_from(PARTIES), reason=st.booleans())
        def cancel(self, party, reason):
            assert workflow.cancel is not None
            expected = (
                not workflow.state(self.state).final
                and workflow.can_cancel(self.state, "staff" if party == "system" else party)
                and (reason or workflow.cancel.reason == "optional")
            )
            self._attempt(
                lambda: cancel_order(
                    self.order, actor=actors[party], reason="changed my mind" if reason else ""
                ),
                expected=expected,
            )

        @rule()
        def archive(self):
            if workflow.archive:
                transition = workflow.transition(self.state, workflow.archive)
                expected = transition is not None and not self.order.archived
            else:
                expected = (
                    workflow.state(self.state).category in ("done", "cancelled") and not self.order.archived
                )
            self._attempt(
                lambda: archive_order(self.order, actor=actors["staff"]),
                expected=bool(expected),
                moves_state=workflow.archive is not None,
            )

        @rule()
        def open_as_staff(self):
            first_time = self.order.seen_at is None
            auto = workflow.auto_transition(self.state, "staff_opens")
            self.order = mark_seen(self.order, actor=actors["staff"])
            if first_time:
                self.version += 1
                if auto is not None:
                    self.moves += 1
            self.state = self.order.state

        @rule()
        def assign(self):
            was_assigned = self.order.assignee_id == sam.pk
            self.order = assign_order(self.order, assignee=sam, actor=actors["staff"])
            if not was_assigned:
                self.version += 1

        @rule(amount=st.sampled_from(["3.00", "4.50"]))
        def refund(self, amount):
            # Refunds are allowed in every state, final ones included, up to the order's total.
            expected = self.refunded + Decimal(amount) <= Decimal("10.00")
            try:
                refund_order(self.order, amount=amount, reason="goodwill", actor=actors["staff"])
            except ActionError as error:
                assert not expected
                assert error.code == "refund_too_large"  # noqa: PT017 (the model decides, not pytest.raises)
                return
            assert expected
            self.refunded += Decimal(amount)
            self.version += 1
            self.order.refresh_from_db()

        @invariant()
        def matches_the_database(self):
            if not hasattr(self, "order"):
                return
            stored = Order.objects.get(pk=self.order.pk)
            assert stored.state == self.state
            assert stored.state_category == workflow.state(self.state).category
            assert stored.version == self.version
            assert stored.refunded_total() == self.refunded

        @invariant()
        def final_is_final(self):
            if not hasattr(self, "order"):
                return
            if self.reached_final is not None:
                assert self.state == self.reached_final
            if workflow.state(self.state).final:
                self.reached_final = self.state

        @invariant()
        def every_move_is_logged_once(self):
            if not hasattr(self, "order"):
                return
            events = list(self.order.events.filter(type__in=STATE_EVENTS).exclude(from_state=""))
            moved = [e for e in events if e.from_state != e.to_state]
            assert len(moved) == self.moves
            path = [self.order.events.get(type=EventType.PLACED).to_state]
            for event in moved:
                assert event.from_state == path[-1], "the log skips a state"
                path.append(event.to_state)
            assert path[-1] == self.state

    run_state_machine_as_test(
        OrderMachine,
        settings=settings(
            max_examples=25, stateful_step_count=20, deadline=None, database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )  # fmt: skip
