"""The API of participants and leads: list (keyset), add (201, or 200 for the same person again),
change and remove leads, errors by code, another seller's order or lead a 404."""

from __future__ import annotations

import pytest

from orderflow.api.tests.conftest import assert_error
from orderflow.core.actors import Actor
from orderflow.leads.actions import add_person
from orderflow.leads.models import Kind, OptIn, Person
from orderflow.orders.models import EventType, OrderEvent


@pytest.fixture
def order(make_order):
    return make_order("services-marketplace")


def test_add_list_and_page_participants(api, order):
    base = f"/orders/{order.number}/participants"
    first = api.post(base, {"first_name": "Ann", "email": "Ann@X.example"})
    assert first.status_code == 201
    assert first.json()["added_by"].startswith("Olivia")
    again = api.post(base, {"email": "ann@x.example", "company": "Globex"})
    assert again.status_code == 200
    assert again.json()["company"] == "Globex"
    for i in range(3):
        assert api.post(base, {"phone": f"+1212555010{i}"}).status_code == 201
    page = api.get(base, limit=2).json()
    assert [p["first_name"] for p in page["items"]] == ["Ann", ""]
    rest = api.get(base, limit=2, cursor=page["next"]).json()
    assert len(rest["items"]) == 2
    assert rest["next"] is None
    assert rest["items"][0]["phone_e164"] == "+12125550101"
    assert_error(api.get(base, cursor="bm90LWEtY3Vyc29y"), 400, "invalid_cursor")


def test_refusals_name_the_field(api, order):
    base = f"/orders/{order.number}/leads"
    body = assert_error(api.post(base, {"first_name": "Nobody"}), 400, "email_or_phone_required")
    assert body["details"]["field"] == "email"
    assert_error(api.post(base, {"email": "nope"}), 400, "invalid_email")
    assert_error(api.post(base, {"phone": "12"}), 400, "invalid_phone")
    assert not Person.objects.exists()


def test_lead_patch_delete_and_opt_in(api, order):
    base = f"/orders/{order.number}/leads"
    lead = api.post(base, {"email": "lee@x.example", "confirm_opt_in": True}).json()
    assert lead["opt_in"] == OptIn.PENDING
    changed = api.patch(f"{base}/{lead['id']}", {"job_title": "CTO"})
    assert changed.status_code == 200
    assert changed.json()["job_title"] == "CTO"
    assert_error(api.patch(f"{base}/{lead['id']}", {"email": ""}), 400, "email_or_phone_required")
    assert api.delete(f"{base}/{lead['id']}").status_code == 204
    assert_error(api.get(f"{base}/{lead['id']}"), 404, "not_found")
    types = list(OrderEvent.objects.filter(order=order).values_list("type", flat=True))
    assert EventType.PERSON_REMOVED in types


def test_another_seller_sees_nothing(api, rival_api, order, olivia):
    lead = add_person(Actor.staff(olivia), order, Kind.LEAD, {"email": "a@x.example"})
    base = f"/orders/{order.number}/leads"
    assert_error(rival_api.get(base), 404, "not_found")
    assert_error(rival_api.get(f"{base}/{lead.pk}"), 404, "not_found")
    assert_error(rival_api.patch(f"{base}/{lead.pk}", {"company": "X"}), 404, "not_found")
    assert_error(rival_api.delete(f"{base}/{lead.pk}"), 404, "not_found")
    assert_error(rival_api.post(f"/orders/{order.number}/participants", {"email": "x@x.example"}), 404)
    assert Person.objects.count() == 1


def test_read_only_tokens_cannot_add(read_api, order):
    response = read_api.post(f"/orders/{order.number}/participants", {"email": "x@x.example"})
    assert response.status_code == 403
