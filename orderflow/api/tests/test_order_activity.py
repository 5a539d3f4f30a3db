"""An order's activity log, its thread (messages and internal notes) and its notification trace."""

from __future__ import annotations

from orderflow.api.tests.conftest import assert_error
from orderflow.conversations.models import Message
from orderflow.core.actors import Actor
from orderflow.notifications.models import Delivery
from orderflow.notifications.worker import Worker
from orderflow.orders.actions import transition_order


def test_the_activity_log_lists_every_change_with_who_made_it(api, make_order, olivia):
    order = make_order("shop")
    transition_order(order, to="in_preparation", actor=Actor.staff(olivia), note="Packing")
    api.post(f"/orders/{order.number}/estimated-completion", {"date": "2099-06-01"})

    events = api.get(f"/orders/{order.number}/events").json()

    assert [(e["type"], e["actor"]["name"]) for e in events] == [
        ("placed", "Alice Martin"),
        ("transitioned", "Olivia"),
        ("estimate_set", "Olivia via API (ERP sync)"),
    ]
    assert events[1]["from_state"] == "newly_placed"
    assert events[1]["note"] == "Packing"
    assert events[2]["data"] == {"date": "2099-06-01"}


def test_a_message_to_the_customer_is_posted_and_notified(api, make_order):
    order = make_order("shop")
    response = api.post(f"/orders/{order.number}/messages", {"body": "Your crate is on its way."})
    assert response.status_code == 201
    assert response.json()["internal"] is False
    assert response.json()["author"] == {"kind": "staff", "name": "Olivia via API (ERP sync)"}
    trace = api.get(f"/orders/{order.number}/notifications").json()
    told = [n for n in trace if n["recipient"]["name"] == "Alice Martin" and not n["skipped"]]
    assert told
    assert told[0]["deliveries"][0]["channel"] == "email"


def test_an_internal_note_stays_among_staff(api, make_order):
    # Given a note and a message posted through the API
    order = make_order("shop")
    note = api.post(f"/orders/{order.number}/messages", {"body": "Customer pays late", "internal": True})
    api.post(f"/orders/{order.number}/messages", {"body": "Ready tomorrow"})

    # Then the thread shows both, the note marked internal
    thread = api.get(f"/orders/{order.number}/messages").json()
    assert [(m["body"], m["internal"]) for m in thread] == [
        ("Customer pays late", True),
        ("Ready tomorrow", False),
    ]
    assert note.json()["id"] == Message.objects.get(internal=True).pk
    # And the trace shows the customer was not told about the note
    trace = api.get(f"/orders/{order.number}/notifications").json()
    note_event = next(
        e["id"] for e in api.get(f"/orders/{order.number}/events").json() if e["data"].get("internal")
    )
    about_note = [n for n in trace if n["event_id"] == note_event and n["recipient"]["kind"] == "contact"]
    assert about_note
    assert all(n["skipped"] and not n["deliveries"] for n in about_note)


def test_an_empty_message_is_refused(api, make_order):
    order = make_order("shop")
    body = assert_error(api.post(f"/orders/{order.number}/messages", {"body": "  "}), 422, "validation_error")
    assert list(body["details"]["fields"]) == ["body"]


def test_the_trace_shows_each_delivery_with_its_attempts(api, make_order, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    order = make_order("shop")
    Worker().run_once()

    trace = api.get(f"/orders/{order.number}/notifications").json()

    sent = [d for n in trace for d in n["deliveries"] if d["status"] == "sent"]
    assert sent, trace
    delivery = sent[0]
    assert delivery["attempt_count"] == 1
    assert [a["outcome"] for a in delivery["attempts"]] == ["sent"]
    assert {"channel", "status", "due_at", "reason", "error"} <= set(delivery)
    assert Delivery.objects.filter(pk=delivery["id"], notification__order=order).exists()
    rule = next(n["rule"] for n in trace if n["rule"])
    assert set(rule) == {"id", "event", "state", "audience", "template"}


def test_the_trace_masks_a_messenger_url_and_its_token(api, make_order):
    order = make_order("shop")
    api.post(f"/orders/{order.number}/messages", {"body": "Your crate is on its way."})
    delivery = Delivery.objects.filter(notification__order=order).first()
    Delivery.objects.filter(pk=delivery.pk).update(
        channel="messenger",
        address="tgram://123456789:SECRETBOTTOKEN/987654",
        error="Refused by tgram://123456789:SECRETBOTTOKEN/987654",
    )

    response = api.get(f"/orders/{order.number}/notifications")

    assert "SECRETBOTTOKEN" not in response.content.decode()
    shown = next(d for n in response.json() for d in n["deliveries"] if d["id"] == delivery.pk)
    assert shown["address"] == "tgram://…"
