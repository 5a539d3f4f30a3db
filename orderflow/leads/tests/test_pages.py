"""The workspace's participants and leads page and the portal's participants page: what they show, the
changes they make through the actions, and who may reach them."""

from __future__ import annotations

import re

from django.urls import reverse

from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.leads.actions import add_person
from orderflow.leads.models import Kind, OptIn, Person
from orderflow.notifications import links
from orderflow.notifications.models import LinkPurpose, Notification
from orderflow.orders.models import EventType, OrderEvent
from orderflow.web.tests.conftest import order_url


def _people_url(order) -> str:
    return order_url(order, "order_people")


def test_staff_add_a_lead_and_see_both_lists(client, olivia, order):
    client.force_login(olivia.user)
    response = client.post(
        order_url(order, "people_add", kind="lead"),
        {"lead-first_name": "Ann", "lead-email": "ann@x.example", "lead-confirm_opt_in": "on"},
    )
    assert response.status_code == 302
    lead = Person.objects.get(kind=Kind.LEAD)
    assert lead.opt_in == OptIn.PENDING
    add_person(Actor.customer(order.placed_by), order, Kind.PARTICIPANT, {"email": "p@x.example"})
    page = client.get(_people_url(order)).content.decode()
    assert "ann@x.example" in page
    assert "p@x.example" in page
    detail = client.get(order_url(order)).content.decode()
    assert 'data-testid="people-summary"' in detail
    assert OrderEvent.objects.filter(order=order, type=EventType.PEOPLE_ADDED).count() == 2


def test_a_refused_lead_names_the_field_and_changes_nothing(client, olivia, order):
    client.force_login(olivia.user)
    response = client.post(order_url(order, "people_add", kind="lead"), {"lead-email": "not-an-email"})
    assert response.status_code == 400
    assert not Person.objects.exists()
    response = client.post(order_url(order, "people_add", kind="lead"), {"lead-first_name": "Nobody"})
    assert response.status_code == 400
    assert 'id="id_lead-email_error"' in response.content.decode()


def test_convert_edit_and_remove(client, olivia, order):
    client.force_login(olivia.user)
    participant = add_person(Actor.staff(olivia), order, Kind.PARTICIPANT, {"email": "p@x.example"})
    assert client.post(order_url(order, "person_convert", person_id=participant.pk)).status_code == 302
    lead = Person.objects.get(kind=Kind.LEAD)
    assert lead.converted_from == participant
    response = client.post(
        order_url(order, "person_edit", person_id=lead.pk),
        {f"p{lead.pk}-email": "p@x.example", f"p{lead.pk}-company": "Globex"},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.company == "Globex"
    assert client.post(order_url(order, "person_remove", person_id=lead.pk)).status_code == 302
    assert not Person.objects.filter(kind=Kind.LEAD).exists()
    types = set(OrderEvent.objects.filter(order=order).values_list("type", flat=True))
    assert {EventType.PERSON_CONVERTED, EventType.PERSON_CHANGED, EventType.PERSON_REMOVED} <= types


def test_record_a_call_from_the_page(client, olivia, order):
    client.force_login(olivia.user)
    person = add_person(Actor.staff(olivia), order, Kind.LEAD, {"phone": "+12125550199"})
    page = client.get(_people_url(order)).content.decode()
    assert 'data-testid="to-call"' in page
    response = client.post(
        order_url(order, "person_call", person_id=person.pk),
        {f"call{person.pk}-outcome": "qualified", f"call{person.pk}-email": "pat@x.example"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "pat@x.example"


def test_recipients_from_the_page(client, olivia, order):
    client.force_login(olivia.user)
    response = client.post(order_url(order, "people_recipient_add"), {"email": "boss@x.example"})
    assert response.status_code == 302
    assert "boss@x.example" in client.get(_people_url(order)).content.decode()


def test_another_sellers_staff_get_404(client, rita, order, rival_order, olivia):
    person = add_person(Actor.staff(olivia), order, Kind.LEAD, {"email": "a@x.example"})
    client.force_login(rita.user)
    assert client.get(_people_url(order)).status_code == 404
    # Rival's own order does not reach Acme's person either.
    url = reverse(
        "person_remove", kwargs={"seller_slug": "rival", "number": rival_order.number, "person_id": person.pk}
    )
    assert client.post(url).status_code == 404
    assert Person.objects.filter(pk=person.pk).exists()


def test_partner_adds_participants_in_the_portal_by_link(client, order, alice):
    token = links.token(LinkPurpose.TRACK, contact=alice, order=order.pk)
    track = client.get(f"/t/{token}/").content.decode()
    assert 'data-testid="participants-link"' in track
    url = f"/t/{token}/participants/"
    response = client.post(url, {"participant-first_name": "Zoé", "participant-email": "zoe@x.example"})
    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.kind, person.added_by_contact) == (Kind.PARTICIPANT, alice)
    assert "zoe@x.example" in client.get(url).content.decode()
    refused = client.post(url, {"participant-first_name": "No contact"})
    assert refused.status_code == 400


def test_partner_signed_in_reaches_own_orders_only(client, order, alice, rival_order):
    from orderflow.accounts.actions import create_portal_login

    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    client.force_login(alice.user)
    own = reverse("portal_order_participants", kwargs={"number": order.number})
    assert client.get(own).status_code == 200
    # Rival's order number means nothing to Alice: her own seller's orders only.
    other = reverse("portal_order_participants", kwargs={"number": rival_order.number + 100})
    assert client.post(other, {"participant-email": "x@x.example"}).status_code == 404
    assert not Person.objects.exists()


def test_opt_in_page_asks_then_records_once(client, olivia, order):
    person = add_person(
        Actor.staff(olivia), order, Kind.LEAD, {"email": "lee@x.example"}, confirm_opt_in=True
    )
    payload = Notification.objects.get(template="lead_opt_in").payload or {}
    found = re.search(r"(/o/[^/]+/)", str(payload["action_url"]))
    assert found is not None
    url = found.group(1)
    assert client.get(url).status_code == 200
    person.refresh_from_db()
    assert person.opt_in == OptIn.PENDING  # opening the link answers nothing
    response = client.post(url, {"answer": "yes"}, REMOTE_ADDR="198.51.100.7")
    assert 'data-testid="opt-in-result"' in response.content.decode()
    person.refresh_from_db()
    assert (person.opt_in, person.opt_in_ip) == (OptIn.CONFIRMED, "198.51.100.7")
    assert client.post(url, {"answer": "no"}).status_code == 410
    assert client.get("/o/not-a-real-token-at-all/").status_code == 404
