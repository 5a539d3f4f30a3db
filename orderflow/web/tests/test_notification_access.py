"""The notification pages are seller-scoped like every other: login first, and 404 across tenants."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from orderflow.core.actors import Actor
from orderflow.notifications.models import CallTask, Delivery, InboxItem, NotificationRule, SandboxMessage
from orderflow.orders.actions import assign_order, transition_order
from orderflow.web.tests.conftest import DAYTIME, run_worker, seller_url

GET_PAGES = [
    ("outbox", {}),
    ("inbox", {}),
    ("calls", {}),
    ("notification_settings", {}),
    ("message_template", {"key": "status_changed", "locale": "en"}),
    ("my_notifications", {}),
]
POSTS = [
    ("inbox_read", {}),
    ("notification_settings", {}),
    ("message_template", {"key": "status_changed", "locale": "en"}),
    ("my_notifications", {}),
]


@pytest.fixture
def acme_outbox(sandbox, make_order, olivia, sam, corner_bar, alice):
    """Acme's outbox after a day's work: a sandbox email to Alice, inbox items, and a call task."""
    from orderflow.accounts.actions import add_contact

    carl = add_contact(corner_bar, name="Carl Caller", phone="+12125550199", preferred_channels=["call"])
    with time_machine.travel(DAYTIME, tick=False):
        order = make_order("shop")
        by_phone = make_order("shop", contact=carl)
        assign_order(by_phone, assignee=sam, actor=Actor.staff(olivia))
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
        transition_order(by_phone, to="in_preparation", actor=Actor.staff(olivia))
        run_worker()
    return {
        "delivery": SandboxMessage.objects.get(to=alice.email).delivery,
        "item": InboxItem.objects.filter(membership=olivia).first(),
        "task": CallTask.objects.get(),
        "rule": NotificationRule.objects.filter(seller=olivia.seller).first(),
    }


def object_urls(data, slug="acme"):
    return [
        ("GET", seller_url("outbox_message", slug, delivery_id=data["delivery"].pk)),
        ("POST", seller_url("call_done", slug, task_id=data["task"].pk)),
        ("POST", seller_url("notification_rule", slug, rule_id=data["rule"].pk)),
    ]


def test_anonymous_visitors_are_sent_to_login_from_every_notification_page(client, acme_outbox):
    urls = [("GET", seller_url(name, **kw)) for name, kw in GET_PAGES]
    urls += [("POST", seller_url(name, **kw)) for name, kw in POSTS]
    for method, url in urls + object_urls(acme_outbox):
        response = client.get(url) if method == "GET" else client.post(url, {"outcome": "x", "all": "on"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_another_sellers_owner_gets_404_on_every_acme_notification_url(client, rita, acme_outbox, olivia):
    client.force_login(rita.user)
    urls = [("GET", seller_url(name, **kw)) for name, kw in GET_PAGES]
    urls += [("POST", seller_url(name, **kw)) for name, kw in POSTS]
    for method, url in urls + object_urls(acme_outbox):
        payload = {"outcome": "Called", "all": "on", "custom_message": "x", "subject": "x", "body": "x"}
        response = client.get(url) if method == "GET" else client.post(url, payload)
        assert response.status_code == 404, url
    # Given all that, nothing of Acme's changed.
    assert CallTask.objects.get().done_at is None
    assert InboxItem.objects.filter(membership=olivia, read_at__isnull=False).count() == 0
    assert not NotificationRule.objects.filter(custom_message="x").exists()


def test_acme_ids_under_rivals_slug_are_404_for_rita(client, rita, acme_outbox):
    # Rita may open her own seller's pages, but Acme's rows are not there.
    client.force_login(rita.user)
    for method, url in object_urls(acme_outbox, slug="rival"):
        response = client.get(url) if method == "GET" else client.post(url, {"outcome": "Called"})
        assert response.status_code == 404, url
    assert CallTask.objects.get().done_at is None


def test_the_outbox_of_acme_never_lists_rivals_deliveries(
    client, sandbox, olivia, rita, rival, rival_customer, acme_outbox
):
    from orderflow.accounts.actions import add_contact
    from orderflow.orders.actions import LineInput, place_order
    from orderflow.workflows.actions import install_order_type

    # Given Rival has an order whose customer was told by email, kept in the sandbox
    secret = add_contact(rival_customer, name="Secret Sasha", email="sasha@rival.example")
    order_type = install_order_type(rival, preset="shop", actor=Actor.system())
    with time_machine.travel(DAYTIME, tick=False):
        order = place_order(
            rival_customer,
            order_type=order_type,
            actor=Actor.customer(secret),
            title="Rival secret",
            lines=[LineInput("X")],
        )
        transition_order(order, to="in_preparation", actor=Actor.staff(rita))
        run_worker()
    rival_delivery = SandboxMessage.objects.get(to="sasha@rival.example").delivery
    client.force_login(olivia.user)

    # Then Acme's outbox and order page show none of it, and its message page is not found
    page = client.get(seller_url("outbox")).content.decode()
    assert "alice@cornerbar.example" in page
    assert "Secret Sasha" not in page
    assert "sasha@rival.example" not in page
    assert "Rival secret" not in page
    assert client.get(seller_url("outbox_message", delivery_id=rival_delivery.pk)).status_code == 404
    assert (
        client.get(seller_url("outbox", **{}) + f"?order={order.number}")
        .content.decode()
        .count("sasha@rival.example")
        == 0
    )
    assert Delivery.objects.filter(notification__seller=rival).exists()
