"""GET /conversations: the threads with the token's member's unread counts, a page at a time, the
seller's own only."""

from __future__ import annotations

from orderflow.api.tests.conftest import ApiClient, assert_error
from orderflow.conversations.actions import mark_thread_read, post_message
from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_api_token


def test_threads_with_unread_counts_for_the_tokens_member(api, acme, make_order, alice, sam, olivia):
    # Given two threads: one the customer wrote to last, one Sam answered
    first = make_order("distributor", title="Crates")
    post_message(first, body="Any news?", actor=Actor.customer(alice))
    second = make_order("distributor", title="Ice")
    post_message(second, body="Ships Friday", actor=Actor.staff(sam))
    post_message(second, body="Check the truck", actor=Actor.staff(sam), internal=True)
    make_order("distributor", title="Silent")

    body = api.get("/conversations").json()
    assert [(i["order_number"], i["unread"], i["waiting_for"]) for i in body["items"]] == [
        (second.number, 2, "customer"),
        (first.number, 1, "seller"),
    ]
    assert body["items"][0]["last_message"]["internal"] is True
    assert body["next"] is None

    # Sam's own token: his messages are not unread for him; reading moves his count only
    _, raw = create_api_token(acme, name="Sam's tool", scope="read", member=sam, actor=Actor.system())
    sams = ApiClient(raw)
    assert [i["unread"] for i in sams.get("/conversations").json()["items"]] == [0, 1]
    mark_thread_read(first, up_to=first.messages.last().pk, actor=Actor.staff(sam))
    assert [i["unread"] for i in sams.get("/conversations", show="unread").json()["items"]] == []
    assert [i["order_number"] for i in api.get("/conversations", show="waiting_us").json()["items"]] == [
        first.number
    ]


def test_pages_follow_the_cursor_without_repeats(api, make_order, alice):
    orders = [make_order("distributor", title=f"Order {n}") for n in range(5)]
    for order in orders:
        post_message(order, body="Hello", actor=Actor.customer(alice))
    seen, cursor = [], None
    while True:
        page = api.get("/conversations", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [item["order_number"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == [order.number for order in reversed(orders)]
    assert_error(api.get("/conversations", cursor="bm9wZQ"), 400, "invalid_cursor")


def test_another_sellers_threads_never_show(rival_api, make_order, alice):
    order = make_order("distributor")
    post_message(order, body="Private", actor=Actor.customer(alice))
    assert rival_api.get("/conversations").json() == {"items": [], "next": None}
