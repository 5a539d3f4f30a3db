"""Every preset, every state, every target: exactly the declared transitions are allowed, and only to the
parties the workflow names."""

from __future__ import annotations

from collections import deque

import pytest

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.orders.actions import transition_order
from orderflow.orders.models import EventType
from orderflow.workflows.definition import Workflow, parse, resolve
from orderflow.workflows.loader import load_preset, preset_keys


def _paths(workflow: Workflow) -> dict[str, tuple[str, list[str]]]:
    """For each reachable state: the entry state to start in and the states to walk through."""
    paths: dict[str, tuple[str, list[str]]] = {}
    queue: deque[str] = deque()
    for entry in workflow.entry_states:
        paths[entry] = (entry, [])
        queue.append(entry)
    while queue:
        current = queue.popleft()
        entry, path = paths[current]
        for transition in workflow.transitions_from(current):
            if transition.target not in paths:
                paths[transition.target] = (entry, [*path, transition.target])
                queue.append(transition.target)
    return paths


def _actor_for(order, target, alice, sam) -> Actor:
    transition = order.workflow.transition(order.state, target)
    if "staff" in transition.by:
        return Actor.staff(sam)
    if "customer" in transition.by:
        return Actor.customer(alice)
    return Actor.system()


def _walk(make_order, preset, entry, path, alice, sam):
    order = make_order(preset, state=entry)
    for target in path:
        transition = order.workflow.transition(order.state, target)
        note = "walking" if transition.note == "required" else ""
        order = transition_order(order, to=target, actor=_actor_for(order, target, alice, sam), note=note)
    return order


@pytest.mark.parametrize("preset", preset_keys())
@pytest.mark.parametrize("party", ["staff", "customer"])
def test_only_declared_transitions_are_allowed_for_each_party(preset, party, make_order, alice, sam):
    workflow = parse(resolve(load_preset(preset)))
    paths = _paths(workflow)
    actor = Actor.staff(sam) if party == "staff" else Actor.customer(alice)
    for state, (entry, path) in paths.items():
        refused_here = _walk(make_order, preset, entry, path, alice, sam)
        assert refused_here.state == state
        for target in workflow.states:
            transition = workflow.transition(state, target)
            allowed = transition is not None and party in transition.by and not workflow.state(state).final
            if allowed:
                order = _walk(make_order, preset, entry, path, alice, sam)
                note = "because" if transition.note == "required" else ""
                moved = transition_order(order, to=target, actor=actor, note=note)
                assert moved.state == target
                assert moved.state_category == workflow.state(target).category
            else:
                version = refused_here.version
                with pytest.raises(ActionError):
                    transition_order(refused_here, to=target, actor=actor, note="x")
                refused_here.refresh_from_db()
                assert refused_here.state == state
                assert refused_here.version == version


@pytest.mark.parametrize("preset", preset_keys())
def test_no_move_is_possible_from_a_final_state(preset, make_order, alice, sam):
    workflow = parse(resolve(load_preset(preset)))
    paths = _paths(workflow)
    for state in (key for key, s in workflow.states.items() if s.final and key in paths):
        entry, path = paths[state]
        order = _walk(make_order, preset, entry, path, alice, sam)
        events = order.events.count()
        for target in workflow.states:
            with pytest.raises(ActionError) as error:
                transition_order(order, to=target, actor=Actor.staff(sam))
            assert error.value.code == "final_state"
        assert order.events.count() == events
        moves = order.events.filter(type__in=[EventType.TRANSITIONED, EventType.ARCHIVED])
        assert moves.count() == len(path)
