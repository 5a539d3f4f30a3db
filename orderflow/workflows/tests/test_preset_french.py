"""Every preset speaks French too: a French customer or staff member never reads an English-only label."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import pytest

from orderflow.workflows.definition import option_choices, parse, resolve
from orderflow.workflows.loader import load_preset, preset_keys


def _has_french(labels: Mapping[str, str]) -> bool:
    return bool(labels.get("fr", "").strip())


@pytest.mark.parametrize("key", preset_keys())
def test_every_label_in_the_preset_file_is_a_table_with_french(key):
    raw = load_preset(key)
    missing = []
    for section in ("states", "transitions"):
        for index, item in enumerate(raw.get(section, [])):
            name = item.get("key") or f"{item.get('from')} -> {item.get('to')}"
            for field in ("label", "customer_label"):
                value = item.get(field)
                if value is not None and not (isinstance(value, Mapping) and _has_french(value)):
                    missing.append(f"{section}[{index}] ({name}).{field}")
    assert not missing, f"{key}: labels without French: {', '.join(missing)}"


@pytest.mark.parametrize("key", preset_keys())
def test_every_state_and_transition_reads_in_french_whatever_the_options(key):
    raw = load_preset(key)
    options = option_choices(raw)
    names = sorted(options)
    for picked in itertools.product(*(options[name]["choices"] for name in names)):
        workflow = parse(resolve(raw, dict(zip(names, picked, strict=True))))
        for state in workflow.states.values():
            assert _has_french(state.labels), f"{key}: state {state.key} has no French label"
            assert _has_french(state.customer_labels), (
                f"{key}: state {state.key} has no French customer label"
            )
            assert state.customer_label("fr-CA") == state.customer_labels["fr"]
        for transition in workflow.transitions:
            where = f"{key}: transition {transition.source} -> {transition.target}"
            assert _has_french(transition.labels), f"{where} has no French label"
            if transition.customer_labels is not None:
                assert _has_french(transition.customer_labels), f"{where} has no French customer label"
            # English is unchanged: the English label is still what `label()` gives by default.
            assert transition.label() == transition.labels["en"]
