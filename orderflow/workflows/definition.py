"""A workflow definition: parsed from plain data once, validated, then immutable.

A definition is a mapping (read from a TOML preset or stored as JSON on a `WorkflowVersion`):

    key, name, initial          the first state of every order
    [options.NAME]              seller settings that pick states (choices, default, per_order); presets
                                only. `per_order` names the choice that leaves it to each order
                                (the customer picks among the other choices when ordering)
    order_options               what `resolve()` leaves of per-order options: name -> [choices]
    [cancel]                    to = state, reason = "required" | "optional", refund = bool
    archive = state             where archiving moves an order (optional)
    [notify]                    event -> audiences, for events that are not transitions
    [quotes]                    where quotes move an order: send, accept, decline = state (each taken
                                only where a transition from the order's state to it is declared; a
                                decline into the cancel state cancels), priced = the entry state of
                                an order whose lines all have prices (no quote needed)
    [[states]]                  key, label, customer_label, category, final, cancel_by, hidden, entry,
                                lines_editable, when
    [[transitions]]             from, to, label, customer_label, by, roles, note, auto, notify, ask,
                                when

A transition's `label` is its button for staff, `customer_label` for the customer (the same words
unless given): staff "Approve quote on the customer's behalf" is the customer's "Approve quote".

Labels are a string or a table of locale -> text. `when = {option = "choice"}` keeps a state or a
transition only when the seller picked that choice; `resolve()` applies the options and drops them,
except an option the seller left to each order: its `when` stays and is read against the order's own
choice (`Workflow.transition(..., choices=order.options)`).

`lines_editable`: whether staff may change an order's lines (quantities, prices, added or removed lines,
out of stock, substitutes) in that state. When no state says, only the initial state allows it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext_lazy as _

CATEGORIES = ("open", "active", "waiting", "done", "cancelled")
# The stage of a status as people read it (translated; the keys are what workflows and filters use).
CATEGORY_LABELS = {
    "open": _("New"),
    "active": _("In progress"),
    "waiting": _("Waiting on customer"),
    "done": _("Done"),
    "cancelled": _("Cancelled"),
}
PARTIES = ("staff", "customer", "system")
CANCELLERS = ("staff", "customer")
ROLES = ("owner", "manager", "staff")
NOTE_RULES = ("none", "optional", "required")
# What the system does by itself: staff open the order; a customer confirmation (quotes) is sent, accepted,
# progressed into the order. A transition with one of these has no button; the action that does it moves.
AUTO_TRIGGERS = ("staff_opens", "confirmation_sent", "confirmation_accepted", "quote_progressed")
ASKS = ("choose_delivery_time",)
AUDIENCES = ("contact", "customer", "assignee", "staff", "watchers")
EVENTS = (
    "placed",
    "assigned",
    "cancelled",
    "refunded",
    "message",
    "feedback_due",
    "estimate_changed",
    "shipped",
    "lines_changed",
    "quote_sent",
    "quote_accepted",
    "quote_declined",
    "quote_expired",
)
QUOTE_MOVES = ("send", "accept", "decline", "priced")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

_TOP_KEYS = {
    "key",
    "name",
    "description",
    "initial",
    "options",
    "cancel",
    "archive",
    "notify",
    "states",
    "transitions",
    "order_options",
    "quotes",
}
_STATE_KEYS = {
    "key",
    "label",
    "customer_label",
    "category",
    "final",
    "cancel_by",
    "hidden",
    "entry",
    "lines_editable",
    "when",
}
_TRANSITION_KEYS = {
    "from",
    "to",
    "label",
    "customer_label",
    "by",
    "roles",
    "note",
    "auto",
    "notify",
    "ask",
    "when",
}
_CANCEL_KEYS = {"to", "reason", "refund"}
_OPTION_KEYS = {"label", "choices", "default", "per_order"}


class WorkflowError(ValueError):
    """A definition that cannot be used. The message names the faulty part."""


Labels = Mapping[str, str]


def _label(labels: Labels, locale: str) -> str:
    return labels.get(locale) or labels.get(locale.split("-")[0]) or labels["en"]


@dataclass(frozen=True)
class State:
    key: str
    labels: Labels
    customer_labels: Labels
    category: str
    final: bool = False
    cancel_by: frozenset[str] = frozenset()
    hidden: bool = False
    entry: bool = False
    lines_editable: bool = False
    when: tuple[tuple[str, str], ...] = ()  # per-order conditions: (option, choice)

    def applies(self, choices: Mapping[str, str] | None) -> bool:
        return _applies(self.when, choices)

    def label(self, locale: str = "en") -> str:
        return _label(self.labels, locale)

    def customer_label(self, locale: str = "en") -> str:
        return _label(self.customer_labels, locale)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    labels: Labels
    by: frozenset[str]
    roles: frozenset[str] = frozenset()
    note: str = "optional"
    auto: str | None = None
    notify: tuple[str, ...] = ()
    ask: str | None = None
    customer_labels: Labels | None = None  # None: the customer reads `labels`
    when: tuple[tuple[str, str], ...] = ()  # per-order conditions: (option, choice)

    def applies(self, choices: Mapping[str, str] | None) -> bool:
        return _applies(self.when, choices)

    def label(self, locale: str = "en") -> str:
        return _label(self.labels, locale)

    def customer_label(self, locale: str = "en") -> str:
        return _label(self.customer_labels or self.labels, locale)

    def allows(self, party: str, role: str | None = None) -> bool:
        if party not in self.by:
            return False
        return not (party == "staff" and self.roles and role not in self.roles)


def _applies(when: tuple[tuple[str, str], ...], choices: Mapping[str, str] | None) -> bool:
    """Whether per-order conditions hold for an order's choices (None: any order, e.g. to list them)."""
    if choices is None:
        return True
    return all(choices.get(name) == value for name, value in when)


@dataclass(frozen=True)
class CancelPolicy:
    target: str
    reason: str = "optional"
    refund: bool = False


@dataclass(frozen=True)
class Workflow:
    key: str
    name: str
    initial: str
    states: Mapping[str, State]
    transitions: tuple[Transition, ...]
    cancel: CancelPolicy | None = None
    archive: str | None = None
    notify: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    order_options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    quotes: Mapping[str, str] = field(default_factory=dict)

    @property
    def entry_states(self) -> list[str]:
        """Where a new order may start: the initial state, then any state marked `entry`."""
        return [self.initial] + [k for k, s in self.states.items() if s.entry and k != self.initial]

    def state(self, key: str) -> State:
        return self.states[key]

    def transition(
        self, source: str, target: str, choices: Mapping[str, str] | None = None
    ) -> Transition | None:
        """The move from `source` to `target`; with an order's `choices`, only one its choices allow."""
        for transition in self.transitions:
            if transition.source == source and transition.target == target:
                return transition if transition.applies(choices) else None
        return None

    def transitions_from(self, source: str, choices: Mapping[str, str] | None = None) -> list[Transition]:
        return [t for t in self.transitions if t.source == source and t.applies(choices)]

    def lines_editable(self, state: str) -> bool:
        return self.states[state].lines_editable

    def auto_transition(self, source: str, trigger: str) -> Transition | None:
        for transition in self.transitions_from(source):
            if transition.auto == trigger:
                return transition
        return None

    def can_cancel(self, state: str, party: str) -> bool:
        return self.cancel is not None and party in self.states[state].cancel_by

    def asks_in(self, state: str) -> frozenset[str]:
        """What the customer is asked for while an order is in `state`: the `ask` of the moves into it."""
        return frozenset(t.ask for t in self.transitions if t.target == state and t.ask)


# ----------------------------------------------------------------------------------------------
# Options


def resolve(raw: Mapping[str, Any], choices: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Apply a seller's option choices to a preset: keep what their `when` matches, drop the options.

    Returns a plain definition (no options, no `when`) ready for `parse()`.
    """
    chosen = dict(choices or {})
    options = raw.get("options", {})
    if not isinstance(options, Mapping):
        raise WorkflowError("options must be a table of option name -> {label, choices, default}")
    picked: dict[str, str] = {}
    per_order_choices: dict[str, list[str]] = {}
    for name, option in options.items():
        where = f"option {name!r}"
        if not isinstance(option, Mapping):
            raise WorkflowError(f"{where} must be a table")
        _reject_unknown(option, _OPTION_KEYS, where)
        allowed = option.get("choices")
        if not isinstance(allowed, list) or not allowed or not all(isinstance(c, str) for c in allowed):
            raise WorkflowError(f"{where}: choices must be a non-empty list of strings")
        per_order = option.get("per_order")
        if per_order is not None and per_order not in allowed:
            raise WorkflowError(f"{where}: per_order {per_order!r} is not one of its choices")
        value = chosen.pop(name, option.get("default", allowed[0]))
        if value not in allowed:
            raise WorkflowError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
        picked[name] = value
        if per_order is not None and value == per_order:
            per_order_choices[name] = [c for c in allowed if c != per_order]
    if chosen:
        raise WorkflowError(f"unknown option(s): {', '.join(sorted(chosen))}")

    def keep(item: Mapping[str, Any], where: str) -> bool:
        condition = item.get("when", {})
        if not isinstance(condition, Mapping):
            raise WorkflowError(f"{where}: when must be a table of option = choice")
        for name, value in condition.items():
            if name not in picked:
                raise WorkflowError(f"{where}: when names unknown option {name!r}")
            if name not in per_order_choices and picked[name] != value:
                return False
        return True

    def without_seller_conditions(item: Mapping[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in item.items() if k != "when"}
        order_when = {k: v for k, v in item.get("when", {}).items() if k in per_order_choices}
        if order_when:
            kept["when"] = order_when
        return kept

    resolved = {k: v for k, v in raw.items() if k != "options"}
    for section in ("states", "transitions"):
        items = raw.get(section, [])
        if isinstance(items, list):
            resolved[section] = [
                without_seller_conditions(item) if isinstance(item, Mapping) else item
                for i, item in enumerate(items)
                if not isinstance(item, Mapping) or keep(item, f"{section}[{i}]")
            ]
    if per_order_choices:
        resolved["order_options"] = per_order_choices
    return resolved


def option_choices(raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The options a preset offers, for settings pages: name -> {label, choices, default}."""
    options = raw.get("options", {})
    return {
        name: {
            "label": option.get("label", name),
            "choices": list(option["choices"]),
            "default": option.get("default", option["choices"][0]),
            "per_order": option.get("per_order"),
        }
        for name, option in options.items()
    }


# ----------------------------------------------------------------------------------------------
# Parsing and validation


def _reject_unknown(item: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise WorkflowError(f"{where}: unknown field(s) {', '.join(unknown)}")


def _text(item: Mapping[str, Any], name: str, where: str, *, default: str | None = None) -> str:
    value = item.get(name, default)
    if not isinstance(value, str) or not value.strip():
        raise WorkflowError(f"{where}: {name} must be a non-empty string")
    return value


def _flag(item: Mapping[str, Any], name: str, where: str) -> bool:
    value = item.get(name, False)
    if not isinstance(value, bool):
        raise WorkflowError(f"{where}: {name} must be true or false")
    return value


def _labels(value: Any, name: str, where: str) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {"en": value}
    if (
        isinstance(value, Mapping)
        and "en" in value
        and all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items())
    ):
        return dict(value)
    raise WorkflowError(f"{where}: {name} must be text or a table of locale = text with an 'en' entry")


def _choices(item: Mapping[str, Any], name: str, allowed: tuple[str, ...], where: str) -> frozenset[str]:
    value = item.get(name, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WorkflowError(f"{where}: {name} must be a list")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise WorkflowError(
            f"{where}: {name} has unknown value(s) {', '.join(unknown)}; use {', '.join(allowed)}"
        )
    return frozenset(value)


def _audiences(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WorkflowError(f"{where}: notify must be a list of audiences")
    unknown = sorted(set(value) - set(AUDIENCES))
    if unknown:
        raise WorkflowError(
            f"{where}: notify has unknown audience(s) {', '.join(unknown)}; use {', '.join(AUDIENCES)}"
        )
    return tuple(value)


def _order_when(
    item: Mapping[str, Any], order_options: Mapping[str, tuple[str, ...]], where: str
) -> tuple[tuple[str, str], ...]:
    """The per-order conditions left by `resolve()`: only options each order picks, with their choices."""
    condition = item.get("when", {})
    if not isinstance(condition, Mapping):
        raise WorkflowError(f"{where}: when must be a table of option = choice")
    for name, value in condition.items():
        if name not in order_options:
            raise WorkflowError(f"{where}: when names {name!r}, which is not an option each order picks")
        if value not in order_options[name]:
            allowed = ", ".join(order_options[name])
            raise WorkflowError(f"{where}: when {name} = {value!r} is not one of {allowed}")
    return tuple(sorted(condition.items()))


def _parse_order_options(raw: Any) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise WorkflowError("workflow: order_options must be a table of option = [choices]")
    parsed: dict[str, tuple[str, ...]] = {}
    for name, choices in raw.items():
        if not isinstance(name, str) or not KEY_RE.match(name):
            raise WorkflowError(f"workflow: order option {name!r} must be a lower-case key")
        if (
            not isinstance(choices, list)
            or len(choices) < 2
            or not all(isinstance(c, str) and KEY_RE.match(c) for c in choices)
        ):
            raise WorkflowError(f"workflow: order option {name!r} needs a list of at least two choices")
        parsed[name] = tuple(choices)
    return parsed


def _parse_state(item: Any, index: int, order_options: Mapping[str, tuple[str, ...]]) -> State:
    if not isinstance(item, Mapping):
        raise WorkflowError(f"states[{index}] must be a table")
    key = item.get("key")
    where = f"state {key!r}" if isinstance(key, str) else f"states[{index}]"
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise WorkflowError(f"{where}: key must be lower-case letters, digits and _ (starting with a letter)")
    _reject_unknown(item, _STATE_KEYS, where)
    category = item.get("category")
    if category not in CATEGORIES:
        raise WorkflowError(f"{where}: category {category!r} is not one of {', '.join(CATEGORIES)}")
    labels = _labels(item.get("label"), "label", where)
    return State(
        key=key,
        labels=labels,
        customer_labels=_labels(item.get("customer_label", labels), "customer_label", where),
        category=category,
        final=_flag(item, "final", where),
        cancel_by=_choices(item, "cancel_by", CANCELLERS, where),
        hidden=_flag(item, "hidden", where),
        entry=_flag(item, "entry", where),
        lines_editable=_flag(item, "lines_editable", where),
        when=_order_when(item, order_options, where),
    )


def _parse_transition(
    item: Any, index: int, states: Mapping[str, State], order_options: Mapping[str, tuple[str, ...]]
) -> Transition:
    if not isinstance(item, Mapping):
        raise WorkflowError(f"transitions[{index}] must be a table")
    source, target = item.get("from"), item.get("to")
    where = f"transition {source} -> {target}"
    _reject_unknown(item, _TRANSITION_KEYS, where)
    for end, name in ((source, "from"), (target, "to")):
        if end not in states:
            raise WorkflowError(f"{where}: {name} names unknown state {end!r}")
    assert isinstance(source, str)
    assert isinstance(target, str)
    if source == target:
        raise WorkflowError(f"{where}: a transition must change the state")
    if states[source].final:
        raise WorkflowError(f"{where}: state {source!r} is final, so nothing may leave it")
    by = _choices(item, "by", PARTIES, where)
    if not by:
        raise WorkflowError(f"{where}: by must name who may trigger it ({', '.join(PARTIES)})")
    note = item.get("note", "optional")
    if note not in NOTE_RULES:
        raise WorkflowError(f"{where}: note {note!r} is not one of {', '.join(NOTE_RULES)}")
    auto = item.get("auto")
    if auto is not None:
        if auto not in AUTO_TRIGGERS:
            raise WorkflowError(f"{where}: auto {auto!r} is not one of {', '.join(AUTO_TRIGGERS)}")
        if "system" not in by:
            raise WorkflowError(f"{where}: an automatic transition must list system in by")
    ask = item.get("ask")
    if ask is not None and ask not in ASKS:
        raise WorkflowError(f"{where}: ask {ask!r} is not one of {', '.join(ASKS)}")
    if ask is not None and not set(item.get("notify", [])) & {"contact", "customer"}:
        raise WorkflowError(f"{where}: ask needs the customer told (notify contact or customer)")
    return Transition(
        source=source,
        target=target,
        labels=_labels(item.get("label", states[target].labels), "label", where),
        by=by,
        roles=_choices(item, "roles", ROLES, where),
        note=note,
        auto=auto,
        notify=_audiences(item.get("notify", []), where),
        ask=ask,
        customer_labels=_labels(item["customer_label"], "customer_label", where)
        if "customer_label" in item
        else None,
        when=_order_when(item, order_options, where),
    )


def parse(raw: Mapping[str, Any]) -> Workflow:
    """Validate a resolved definition and build the immutable `Workflow`. Raises `WorkflowError`."""
    if not isinstance(raw, Mapping):
        raise WorkflowError("a workflow definition must be a table")
    if "options" in raw:
        raw = resolve(raw)
    _reject_unknown(raw, _TOP_KEYS, "workflow")
    key = _text(raw, "key", "workflow")
    name = _text(raw, "name", "workflow")
    order_options = _parse_order_options(raw.get("order_options"))

    raw_states = raw.get("states")
    if not isinstance(raw_states, list) or not raw_states:
        raise WorkflowError("workflow: states must be a non-empty list")
    states: dict[str, State] = {}
    for index, item in enumerate(raw_states):
        state = _parse_state(item, index, order_options)
        if state.key in states:
            raise WorkflowError(f"state {state.key!r} is declared twice")
        if state.final and state.entry:
            raise WorkflowError(f"state {state.key!r}: a final state cannot be an entry state")
        if state.final and state.cancel_by:
            raise WorkflowError(f"state {state.key!r}: a final state cannot be cancelled (drop cancel_by)")
        if state.final and state.lines_editable:
            raise WorkflowError(f"state {state.key!r}: a final state cannot have lines_editable")
        states[state.key] = state

    initial = raw.get("initial")
    if initial not in states:
        raise WorkflowError(f"workflow: initial names unknown state {initial!r}")
    assert isinstance(initial, str)
    if states[initial].final:
        raise WorkflowError(f"workflow: initial state {initial!r} cannot be final")
    if not any(isinstance(item, Mapping) and "lines_editable" in item for item in raw_states):
        # Nobody said: lines may change while the order is new, as the default has it.
        states[initial] = replace(states[initial], lines_editable=True)

    raw_transitions = raw.get("transitions", [])
    if not isinstance(raw_transitions, list):
        raise WorkflowError("workflow: transitions must be a list")
    transitions: list[Transition] = []
    for index, item in enumerate(raw_transitions):
        transition = _parse_transition(item, index, states, order_options)
        if any(t.source == transition.source and t.target == transition.target for t in transitions):
            raise WorkflowError(f"transition {transition.source} -> {transition.target} is declared twice")
        transitions.append(transition)

    cancel = _parse_cancel(raw.get("cancel"), states)
    if cancel is None and any(s.cancel_by for s in states.values()):
        cancellable = next(s.key for s in states.values() if s.cancel_by)
        raise WorkflowError(f"state {cancellable!r} has cancel_by but the workflow has no [cancel] section")

    archive = raw.get("archive")
    if archive is not None:
        if archive not in states:
            raise WorkflowError(f"workflow: archive names unknown state {archive!r}")
        if not any(t.target == archive for t in transitions):
            raise WorkflowError(f"workflow: archive state {archive!r} has no transition into it")

    notify_raw = raw.get("notify", {})
    if not isinstance(notify_raw, Mapping):
        raise WorkflowError("workflow: notify must be a table of event = [audiences]")
    unknown_events = sorted(set(notify_raw) - set(EVENTS))
    if unknown_events:
        raise WorkflowError(f"workflow: notify has unknown event(s) {', '.join(unknown_events)}")
    notify = {event: _audiences(value, f"notify.{event}") for event, value in notify_raw.items()}

    workflow = Workflow(
        key=key,
        name=name,
        initial=initial,
        states=states,
        transitions=tuple(transitions),
        cancel=cancel,
        archive=archive if isinstance(archive, str) else None,
        notify=notify,
        order_options=order_options,
        quotes=_parse_quotes(raw.get("quotes"), states, cancel, initial),
    )
    _check_reachable(workflow)
    return workflow


def _parse_quotes(
    raw: Any, states: Mapping[str, State], cancel: CancelPolicy | None, initial: str
) -> dict[str, str]:
    """`[quotes]`: the state a quote's send, accept and decline move the order to, and the entry state of
    an order that needs no quote."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise WorkflowError("quotes must be a table: " + ", ".join(f"{k} = state" for k in QUOTE_MOVES))
    _reject_unknown(raw, set(QUOTE_MOVES), "quotes")
    moves: dict[str, str] = {}
    for name, target in raw.items():
        if target not in states:
            raise WorkflowError(f"quotes: {name} names unknown state {target!r}")
        if states[target].final and not (name == "decline" and cancel and cancel.target == target):
            raise WorkflowError(f"quotes: {name} cannot move an order into final state {target!r}")
        moves[name] = target
    priced = moves.get("priced")
    if priced is not None and not (states[priced].entry or priced == initial):
        raise WorkflowError(f"quotes: priced state {priced!r} must be an entry state (entry = true)")
    return moves


def _parse_cancel(raw: Any, states: Mapping[str, State]) -> CancelPolicy | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise WorkflowError("cancel must be a table: to, reason, refund")
    _reject_unknown(raw, _CANCEL_KEYS, "cancel")
    target = raw.get("to")
    if target not in states:
        raise WorkflowError(f"cancel: to names unknown state {target!r}")
    assert isinstance(target, str)
    if states[target].category != "cancelled":
        raise WorkflowError(f"cancel: state {target!r} must have category 'cancelled'")
    reason = raw.get("reason", "optional")
    if reason not in ("optional", "required"):
        raise WorkflowError(f"cancel: reason {reason!r} is not one of optional, required")
    return CancelPolicy(target=target, reason=reason, refund=_flag(raw, "refund", "cancel"))


def _check_reachable(workflow: Workflow) -> None:
    seen = set(workflow.entry_states)
    if workflow.cancel:
        seen.add(workflow.cancel.target)
    frontier = list(seen)
    while frontier:
        current = frontier.pop()
        for transition in workflow.transitions_from(current):
            if transition.target not in seen:
                seen.add(transition.target)
                frontier.append(transition.target)
    unreachable = [key for key in workflow.states if key not in seen]
    if unreachable:
        raise WorkflowError(f"state {unreachable[0]!r} cannot be reached from the initial state")
