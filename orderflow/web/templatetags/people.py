"""Tags of the participants and leads page: each person's forms (the one just refused, bound, with its
errors; else fresh with the person's values) and the links between pages of one list."""

from __future__ import annotations

from typing import Any

from django import forms, template

from orderflow.leads.models import Person
from orderflow.leads.rules import PERSON_FIELDS
from orderflow.web.people_forms import CallOutcomeForm, EditPersonForm

register = template.Library()


@register.simple_tag
def edit_form(person: Person, bound_slot: str, bound_form: forms.Form | None) -> dict[str, Any]:
    slot = f"edit:{person.pk}"
    if bound_slot == slot and bound_form is not None:
        return {"slot": slot, "form": bound_form}
    initial: dict[str, Any] = {name: getattr(person, name) for name in PERSON_FIELDS}
    initial["do_not_contact"] = person.do_not_contact
    return {"slot": slot, "form": EditPersonForm(initial=initial, prefix=f"p{person.pk}")}


@register.simple_tag
def call_form(person: Person, bound_slot: str, bound_form: forms.Form | None) -> dict[str, Any]:
    slot = f"call:{person.pk}"
    if bound_slot == slot and bound_form is not None:
        return {"slot": slot, "form": bound_form}
    initial = {name: getattr(person, name) for name in ("first_name", "last_name", "company", "job_title")}
    return {"slot": slot, "form": CallOutcomeForm(initial=initial, prefix=f"call{person.pk}")}


@register.simple_tag(takes_context=True)
def people_page_query(context: template.Context, param: str, number: int) -> str:
    """The current query with one list's page changed (the other list keeps its page)."""
    query = context["request"].GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()
