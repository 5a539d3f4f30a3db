from __future__ import annotations

import copy
from typing import Any

import pytest

from orderflow.workflows.definition import WorkflowError, parse, resolve
from orderflow.workflows.loader import load_preset, parse_text, preset_keys


def test_every_preset_is_a_valid_workflow():
    assert preset_keys() == [
        "custom-production",
        "distributor",
        "quote-to-order",
        "services-marketplace",
        "shop",
    ]
    for key in preset_keys():
        workflow = parse(resolve(load_preset(key)))
        assert workflow.key == key
        assert workflow.cancel is not None


def test_the_services_marketplace_has_the_eleven_states_of_the_article():
    workflow = parse(load_preset("services-marketplace"))
    assert [state.label() for state in workflow.states.values()] == [
        "Pending quotes", "Pending approval", "Approved", "Not started", "In progress", "Waiting for partner",
        "Scheduled", "Executing", "Complete", "Cancelled", "Archived",
    ]  # fmt: skip
    assert workflow.entry_states == ["pending_quotes", "pending_approval"]
    cancellable = [key for key, state in workflow.states.items() if state.cancel_by == {"staff", "customer"}]
    assert cancellable == ["pending_quotes", "pending_approval", "approved", "not_started"]


def test_the_shop_option_picks_pickup_or_delivery_states():
    raw = load_preset("shop")
    pickup = parse(resolve(raw))
    delivery = parse(resolve(raw, {"fulfilment": "delivery"}))
    assert "ready_for_pickup" in pickup.states
    assert "ready_for_delivery" not in pickup.states
    assert "ready_for_delivery" in delivery.states
    assert "picked_up" not in delivery.states
    assert delivery.state("delivered").final
    assert pickup.state("ready_for_pickup").label("fr") == "Prête à être ramassée"


def test_an_unknown_option_choice_is_refused_with_the_choices():
    with pytest.raises(WorkflowError, match="'drone' is not one of pickup, delivery"):
        resolve(load_preset("shop"), {"fulfilment": "drone"})
    with pytest.raises(WorkflowError, match="unknown option"):
        resolve(load_preset("shop"), {"colour": "red"})


def _minimal() -> dict[str, Any]:
    return {
        "key": "tiny",
        "name": "Tiny",
        "initial": "new",
        "cancel": {"to": "cancelled"},
        "states": [
            {"key": "new", "label": "New", "category": "open", "cancel_by": ["staff"]},
            {"key": "done", "label": "Done", "category": "done", "final": True},
            {"key": "cancelled", "label": "Cancelled", "category": "cancelled", "final": True},
        ],
        "transitions": [{"from": "new", "to": "done", "by": ["staff"]}],
    }


def test_a_minimal_definition_parses():
    workflow = parse(_minimal())
    assert workflow.transition("new", "done") is not None
    assert workflow.transition("done", "new") is None


def _broken(change) -> dict[str, Any]:
    raw = copy.deepcopy(_minimal())
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(initial="nowhere"), "initial names unknown state 'nowhere'"),
        (
            lambda r: r["transitions"][0].update(to="dnoe"),
            "transition new -> dnoe: to names unknown state 'dnoe'",
        ),
        (lambda r: r["transitions"][0].update(fromm="new"), "transition new -> done: unknown field(s) fromm"),
        (
            lambda r: r["states"][1].update(category="finished"),
            "state 'done': category 'finished' is not one of",
        ),
        (lambda r: r["states"].append(dict(r["states"][0])), "state 'new' is declared twice"),
        (
            lambda r: r["transitions"].append({"from": "done", "to": "new", "by": ["staff"]}),
            "'done' is final",
        ),
        (lambda r: r["transitions"][0].update(by=["robot"]), "by has unknown value(s) robot"),
        (lambda r: r["transitions"][0].update(by=[]), "by must name who may trigger it"),
        (lambda r: r["transitions"][0].update(note="sometimes"), "note 'sometimes' is not one of"),
        (lambda r: r["transitions"][0].update(notify=["everyone"]), "unknown audience(s) everyone"),
        (lambda r: r["transitions"][0].update(auto="staff_opens"), "automatic transition must list system"),
        (lambda r: r["cancel"].update(to="done"), "cancel: state 'done' must have category 'cancelled'"),
        (lambda r: r.pop("cancel"), "state 'new' has cancel_by but the workflow has no [cancel] section"),
        (lambda r: r["states"][1].update(cancel_by=["staff"]), "a final state cannot be cancelled"),
        (lambda r: r["states"][0].update(key="New State"), "key must be lower-case"),
        (lambda r: r["states"][0].update(label={"fr": "Nouveau"}), "with an 'en' entry"),
        (lambda r: r.update(transitions=[]), "state 'done' cannot be reached from the initial state"),
        (lambda r: r.update(archive="cancelled"), "archive state 'cancelled' has no transition into it"),
        (lambda r: r.update(notify={"exploded": ["staff"]}), "notify has unknown event(s) exploded"),
        (lambda r: r.update(states=[]), "states must be a non-empty list"),
    ],
)
def test_a_malformed_definition_is_refused_naming_the_fault(change, message):
    with pytest.raises(WorkflowError) as error:
        parse(_broken(change))
    assert message in str(error.value)


def test_a_file_that_is_not_toml_is_refused_with_its_name():
    with pytest.raises(WorkflowError, match=r"custom\.toml: not valid TOML"):
        parse_text("key = ", name="custom.toml")
