"""Changes to the participants and leads of orders: the only writers of people, their opt-in and their
qualification calls."""

from orderflow.leads.actions.people import (
    Result,
    add_person,
    check_may_change,
    may_see_people,
    save_people,
)

__all__ = ["Result", "add_person", "check_may_change", "may_see_people", "save_people"]
