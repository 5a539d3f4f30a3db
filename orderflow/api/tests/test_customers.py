"""Customers, their contacts, and each contact's notification preferences and delivery hours."""

from __future__ import annotations

from orderflow.accounts.models import Contact, Customer
from orderflow.api.tests.conftest import assert_error
from orderflow.notifications.models import DeliverySchedule, Preference


def test_customers_are_listed_by_name_a_page_at_a_time(api, acme):
    for name in ["Delta Deli", "Alpha Bar", "Charlie Café", "Bravo Bistro", "Alpha Bar"]:
        assert api.post("/customers", {"name": name}).status_code == 201
    names, cursor = [], None
    while True:
        page = api.get("/customers", limit=2, **({"cursor": cursor} if cursor else {})).json()
        names += [c["name"] for c in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert names == ["Alpha Bar", "Alpha Bar", "Bravo Bistro", "Charlie Café", "Delta Deli"]
    assert [c["name"] for c in api.get("/customers", search="caf").json()["items"]] == ["Charlie Café"]


def test_a_customer_is_created_with_contacts(api, acme):
    created = api.post(
        "/customers", {"name": " Harbour Café ", "kind": "cafe", "email_domain": "Harbour.Example"}
    )
    assert created.status_code == 201
    customer = created.json()
    assert (customer["name"], customer["email_domain"], customer["contacts"]) == (
        "Harbour Café",
        "harbour.example",
        [],
    )
    contact = api.post(
        f"/customers/{customer['id']}/contacts",
        {"name": "Hana", "phone": "+4915112345678", "locale": "fr", "preferred_channels": ["sms"]},
    )
    assert contact.status_code == 201
    assert contact.json()["preferred_channels"] == ["sms"]
    assert [c["name"] for c in api.get(f"/customers/{customer['id']}").json()["contacts"]] == ["Hana"]
    assert api.get(f"/contacts/{contact.json()['id']}").json()["phone"] == "+4915112345678"
    assert Contact.objects.get(pk=contact.json()["id"]).customer == Customer.objects.get(pk=customer["id"])


def test_contacts_are_refused_in_the_shape_the_schema_declares(api, corner_bar):
    # Neither an email address nor a phone: refused as a whole, before the action
    response = api.post(f"/customers/{corner_bar.pk}/contacts", {"name": "No way to reach"})
    assert_error(response, 422, "validation_error")
    response = api.post(
        f"/customers/{corner_bar.pk}/contacts",
        {"name": "Zed", "email": "z@x.example", "time_zone": "Mars/Base"},
    )
    assert list(assert_error(response, 422, "validation_error")["details"]["fields"]) == ["time_zone"]
    assert list(
        assert_error(api.post("/customers", {"name": " "}), 422, "validation_error")["details"]["fields"]
    ) == ["name"]
    assert not Contact.objects.filter(name="Zed").exists()


def test_preferences_show_each_category_and_the_hours(api, alice):
    body = api.get(f"/contacts/{alice.pk}/preferences").json()
    transactional = next(c for c in body["categories"] if c["category"] == "transactional")
    assert transactional["mandatory"] is True
    assert transactional["effective_channels"] == ["email"]
    assert body["hours"] is None  # the seller's hours apply


def test_preferences_are_saved_through_the_notification_actions(api, alice):
    response = api.put(
        f"/contacts/{alice.pk}/preferences",
        {
            "categories": {
                "marketing": {"enabled": False},
                "order_updates": {"enabled": True, "channels": ["sms", "email"]},
            },
            "hours": {"monday": "09:00-12:00, 14:00-18:00", "saturday": "10:00-12:00"},
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    updates = next(c for c in body["categories"] if c["category"] == "order_updates")
    assert updates["channels"] == ["sms", "email"]
    assert next(c for c in body["categories"] if c["category"] == "marketing")["enabled"] is False
    assert body["hours"]["monday"] == "09:00-12:00, 14:00-18:00"
    assert body["hours"]["tuesday"] == ""
    assert DeliverySchedule.objects.get(contact=alice).schedule["5"] == [[600, 720]]

    # null hours: back to the seller's
    api.put(f"/contacts/{alice.pk}/preferences", {"categories": {}, "hours": None})
    assert not DeliverySchedule.objects.filter(contact=alice).exists()


def test_a_refused_preference_saves_nothing(api, alice):
    response = api.put(
        f"/contacts/{alice.pk}/preferences",
        {
            "categories": {"marketing": {"enabled": False}, "transactional": {"enabled": False}},
            "hours": {"monday": "09:00-12:00"},
        },
    )
    assert_error(response, 400, "mandatory")
    assert not Preference.objects.filter(contact=alice).exists()
    assert not DeliverySchedule.objects.filter(contact=alice).exists()
    response = api.put(
        f"/contacts/{alice.pk}/preferences", {"categories": {}, "hours": {"someday": "09:00-10:00"}}
    )
    assert list(assert_error(response, 422, "validation_error")["details"]["fields"]) == ["hours"]
    response = api.put(f"/contacts/{alice.pk}/preferences", {"categories": {}, "hours": {"monday": "9 to 5"}})
    assert list(assert_error(response, 422, "validation_error")["details"]["fields"]) == ["hours.monday"]


def test_a_messenger_url_on_a_private_address_is_refused(api, corner_bar, settings):
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    response = api.post(
        f"/customers/{corner_bar.pk}/contacts",
        {"name": "Ines", "phone": "+33611111111", "messenger_url": "ntfy://127.0.0.1:8199/ines"},
    )
    assert assert_error(response, 400, "private_destination")["details"] == {"field": "messenger_url"}
    assert not Contact.objects.filter(name="Ines").exists()
