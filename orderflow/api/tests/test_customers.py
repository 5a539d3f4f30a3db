"""Customers, their contacts, and each contact's notification preferences and delivery hours."""

from __future__ import annotations

from orderflow.accounts.actions import add_contact, add_customer
from orderflow.accounts.models import Contact, Customer, CustomerEvent
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


def test_a_customer_is_patched_and_each_change_logged(api, corner_bar):
    response = api.patch(
        f"/customers/{corner_bar.pk}",
        {"email_domains": ["cornerbar.example", "Grill.Example"], "notes": "Late payer", "name": None},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["name"], body["email_domains"], body["notes"]) == (
        "Corner Bar",
        ["cornerbar.example", "grill.example"],
        "Late payer",
    )
    assert body["email_domain"] == "cornerbar.example"
    assert set(CustomerEvent.objects.get(type="customer_changed").data["changes"]) == {
        "email_domains",
        "notes",
    }


def test_a_domain_or_contact_email_already_in_use_is_refused(api, corner_bar, alice):
    response = api.post("/customers", {"name": "Copycat", "email_domains": ["cornerbar.example"]})
    assert list(assert_error(response, 400, "duplicate")["details"]["fields"]) == ["email_domains"]
    response = api.post("/customers", {"name": "Webmail", "email_domains": ["gmail.com"]})
    assert_error(response, 400, "public_domain")
    response = api.post(
        f"/customers/{corner_bar.pk}/contacts", {"name": "Al", "email": "Alice@cornerbar.example"}
    )
    assert list(assert_error(response, 400, "duplicate")["details"]["fields"]) == ["email"]
    assert not Customer.objects.filter(name__in=["Copycat", "Webmail"]).exists()


def test_contacts_are_listed_patched_deactivated_and_reactivated(api, corner_bar, alice, bruno):
    base = f"/customers/{corner_bar.pk}/contacts"
    assert [c["name"] for c in api.get(base).json()] == ["Alice Martin", "Bruno Petit"]

    response = api.patch(f"{base}/{alice.pk}", {"phone": "+14155550123", "hours": {"monday": "09:00-17:00"}})
    assert response.status_code == 200, response.json()
    assert response.json()["hours"]["monday"] == "09:00-17:00"
    assert response.json()["reach_answered_at"] is not None
    assert api.patch(f"{base}/{alice.pk}", {"name": "Alice M."}).json()["hours"]["monday"] == "09:00-17:00"
    assert_error(api.patch(f"{base}/{bruno.pk}", {"phone": ""}), 400, "unreachable")

    assert api.post(f"{base}/{alice.pk}/deactivate").json()["is_active"] is False
    assert [c["is_active"] for c in api.get(base).json()] == [True, False]  # active first, history kept
    assert api.post(f"{base}/{alice.pk}/reactivate").json()["is_active"] is True
    types = list(CustomerEvent.objects.filter(contact=alice).values_list("type", flat=True))
    assert types == [
        "contact_added",
        "contact_changed",
        "contact_changed",
        "contact_deactivated",
        "contact_reactivated",
    ]


def test_another_customers_or_sellers_contact_is_not_found(api, acme, corner_bar, alice, rival_customer):
    other = add_customer(acme, name="Other")
    theirs = add_contact(rival_customer, name="Theirs", email="t@rival.example")
    for customer_id, contact_id in [
        (other.pk, alice.pk),
        (rival_customer.pk, theirs.pk),
        (corner_bar.pk, theirs.pk),
    ]:
        base = f"/customers/{customer_id}/contacts/{contact_id}"
        assert_error(api.patch(base, {"name": "Taken"}), 404, "not_found")
        assert_error(api.post(f"{base}/deactivate"), 404, "not_found")
        assert_error(api.post(f"{base}/reactivate"), 404, "not_found")
    for path in (f"/customers/{rival_customer.pk}", f"/customers/{rival_customer.pk}/contacts"):
        assert_error(api.get(path), 404, "not_found")
    assert_error(api.patch(f"/customers/{rival_customer.pk}", {"name": "Taken"}), 404, "not_found")
    assert_error(
        api.post(f"/customers/{rival_customer.pk}/contacts", {"name": "X", "email": "x@y.example"}),
        404,
        "not_found",
    )
    assert Contact.objects.get(pk=alice.pk).is_active
    assert Contact.objects.get(pk=theirs.pk).name == "Theirs"
