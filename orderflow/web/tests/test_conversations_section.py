"""The Conversations section of the workspace: the list, its filters, the badge, one thread."""

from __future__ import annotations

from orderflow.conversations.actions import post_message
from orderflow.conversations.models import Message
from orderflow.core.actors import Actor
from orderflow.web.tests.conftest import order_url, seller_url


def _badge(page: str) -> str:
    return page.split('data-testid="conversations-count">', 1)[1].split("<", 1)[0]


def test_the_badge_counts_unread_threads_and_opening_one_reads_it(as_olivia, make_order, alice):
    order = make_order("distributor")
    post_message(order, body="Where is my lemonade?", actor=Actor.customer(alice))

    page = as_olivia.get(seller_url("conversations")).content.decode()
    assert _badge(page) == "1"
    assert 'data-testid="unread">1<' in page
    assert "Where is my lemonade?" in page

    thread = as_olivia.get(order_url(order, "conversation"))
    assert thread.status_code == 200
    assert "Where is my lemonade?" in thread.content.decode()
    assert _badge(as_olivia.get(seller_url("conversations")).content.decode()) == "0"


def test_opening_the_order_page_reads_the_thread_too(as_olivia, make_order, alice):
    order = make_order("distributor")
    post_message(order, body="Hello?", actor=Actor.customer(alice))
    as_olivia.get(order_url(order))
    assert _badge(as_olivia.get(seller_url("dashboard")).content.decode()) == "0"


def test_filters_answer_and_unknown_ones_show_everything(as_olivia, make_order, alice):
    order = make_order("distributor", title="Crates for Friday")
    post_message(order, body="Any news?", actor=Actor.customer(alice))
    for show, listed in [("waiting_us", True), ("waiting_customer", False), ("mine", False), ("bogus", True)]:
        page = as_olivia.get(seller_url("conversations"), {"show": show}).content.decode()
        assert ("Crates for Friday" in page) is listed, show


def test_a_reply_from_the_conversation_goes_through_the_same_action(as_olivia, make_order, alice):
    order = make_order("distributor")
    response = as_olivia.post(order_url(order, "conversation_reply"), {"body": "On its way"})
    assert response.status_code == 302
    assert response.headers["Location"] == order_url(order, "conversation")
    message = Message.objects.get(order=order)
    assert (message.author_kind, message.internal) == ("staff", False)
    assert order.events.filter(type="message").count() == 1

    refused = as_olivia.post(order_url(order, "conversation_reply"), {"body": "  "})
    assert refused.status_code == 400
    assert Message.objects.filter(order=order).count() == 1


def test_another_sellers_conversation_is_not_found(client, rita, make_order, alice):
    order = make_order("distributor")
    post_message(order, body="Private", actor=Actor.customer(alice))
    client.force_login(rita.user)
    assert client.get(order_url(order, "conversation")).status_code == 404
    assert client.post(order_url(order, "conversation_reply"), {"body": "x"}).status_code == 404
    page = client.get(seller_url("conversations", seller_slug="rival")).content.decode()
    assert "Private" not in page
    assert client.get(seller_url("conversations")).status_code == 404
