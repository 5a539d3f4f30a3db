"""Changes to the participants and leads of orders: the only writers of people, their opt-in and their
qualification calls."""

from orderflow.leads.actions.changes import (
    Outcome,
    add_recipient,
    answer_opt_in,
    ask_opt_in,
    convert_to_lead,
    record_call,
    remove_person,
    remove_recipient,
    update_person,
)
from orderflow.leads.actions.people import (
    Checked,
    Result,
    add_person,
    announce_saved,
    check_may_change,
    check_people,
    may_see_people,
    save_people,
)

__all__ = [
    "Checked",
    "Outcome",
    "Result",
    "add_person",
    "add_recipient",
    "announce_saved",
    "answer_opt_in",
    "ask_opt_in",
    "check_may_change",
    "check_people",
    "convert_to_lead",
    "may_see_people",
    "record_call",
    "remove_person",
    "remove_recipient",
    "save_people",
    "update_person",
]
