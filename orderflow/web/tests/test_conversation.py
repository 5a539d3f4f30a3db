from __future__ import annotations

from orderflow.conversations.models import Message
from orderflow.notifications.models import Notification
from orderflow.web.tests.conftest import order_url


def test_staff_write_to_the_customer_and_the_customer_is_told(as_olivia, make_order, alice):
    order = make_order("distributor")

    response = as_olivia.post(
        order_url(order, "order_message"), {"body": "Cola is out, lemonade?"}, follow=True
    )

    assert "Message sent to Corner Bar" in response.content.decode()
    assert "Cola is out, lemonade?" in response.content.decode()
    assert Notification.objects.filter(
        order=order, contact=alice, template="new_message", skipped=False
    ).exists()


def test_an_internal_note_is_marked_and_not_sent(as_olivia, make_order, alice):
    order = make_order("distributor")

    response = as_olivia.post(
        order_url(order, "order_message"), {"body": "Slow payer", "internal": "on"}, follow=True
    )

    page = response.content.decode()
    assert "Internal note added." in page
    assert "Staff only" in page
    assert Message.objects.get().internal
    assert not Notification.objects.filter(
        order=order, contact=alice, template="new_message", skipped=False
    ).exists()


def test_an_empty_message_is_refused_and_nothing_is_written(as_olivia, make_order):
    order = make_order("distributor")
    response = as_olivia.post(order_url(order, "order_message"), {"body": ""})
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_another_sellers_staff_cannot_post(client, rita, make_order):
    order = make_order("distributor")
    client.force_login(rita.user)
    assert client.post(order_url(order, "order_message"), {"body": "hi"}).status_code == 404
    assert not Message.objects.exists()
