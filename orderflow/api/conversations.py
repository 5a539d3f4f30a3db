"""/conversations: every order's thread, the newest message first, with what the token's member has not
read (the Conversations section of the workspace, as JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from orderflow.api import pagination
from orderflow.api.auth import context_of
from orderflow.api.errors import reads
from orderflow.api.inputs import CURSOR, text
from orderflow.conversations.models import Message
from orderflow.conversations.selectors import last_messages, threads_for_staff
from orderflow.orders.models import Order

router = Router(tags=["conversations"])

SORT = "last_message"  # the only order: the cursor says it, so that one made for another list is refused
EXCERPT = 200


class ConversationQuery(Schema):
    show: Literal["", "unread", "mine", "unassigned", "waiting_us", "waiting_customer"] = Field(
        "",
        description="unread: with messages the member has not read; mine: orders assigned to the member; "
        "unassigned; waiting_us: the customer wrote the last public message; waiting_customer: the "
        "seller did",
    )
    limit: int = Field(50, ge=1, le=100)
    cursor: Annotated[str, text(pattern=CURSOR)] | None = Field(
        None, description="The `next` of the previous page"
    )


class LastMessageOut(Schema):
    id: int
    author_kind: str = Field(description="staff, customer or system")
    author_name: str
    internal: bool = Field(description="An internal note: never shown or sent to the customer")
    excerpt: str = Field(description=f"The start of the message, at most {EXCERPT} characters")
    created_at: dt.datetime


class ConversationOut(Schema):
    order_number: int
    order_title: str
    customer_id: int
    customer_name: str
    state: str
    assignee_id: int | None
    last_message_at: dt.datetime
    last_message: LastMessageOut
    unread: int = Field(
        description="Messages and internal notes the token's member has not read (their own never count)"
    )
    waiting_for: Literal["seller", "customer"] | None = Field(
        description="Who is to answer: seller when the customer wrote the last public message, customer "
        "when the seller did; null without public messages"
    )


class ConversationPageOut(Schema):
    items: list[ConversationOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


def _item(order: Order, last: Message) -> ConversationOut:
    kind = getattr(order, "last_public_kind", None)
    return ConversationOut(
        order_number=order.number,
        order_title=order.title,
        customer_id=order.customer_id,
        customer_name=order.customer.name,
        state=order.state,
        assignee_id=order.assignee_id,
        last_message_at=getattr(order, "last_message_at"),  # noqa: B009 (an annotation)
        last_message=LastMessageOut(
            id=last.pk,
            author_kind=last.author_kind,
            author_name=last.author_name,
            internal=last.internal,
            excerpt=last.body[:EXCERPT],
            created_at=last.created_at,
        ),
        unread=getattr(order, "unread", 0),
        waiting_for=None if kind is None else "seller" if kind == "customer" else "customer",
    )


@router.get("", response=reads({200: ConversationPageOut}, 400, 422), operation_id="list_conversations")
def list_conversations(request: HttpRequest, query: Query[ConversationQuery]) -> ConversationPageOut:
    """The seller's order threads, the newest message first, with the token's member's unread counts, a
    page at a time (cursor). A thread with a new message moves to the front: a walk may meet it again."""
    member = context_of(request).actor.membership
    assert member is not None  # a token always acts as one of its seller's members
    threads = threads_for_staff(member, show=query.show)
    if query.cursor:
        payload = pagination.decode(query.cursor, sort=SORT)
        at = pagination.cursor_value(payload, "value", dt.datetime)
        pk = pagination.cursor_value(payload, "id", int)
        threads = threads.filter(Q(last_message_at__lt=at) | Q(last_message_at=at, pk__lt=pk))
    rows, last_row = pagination.cut(list(threads[: query.limit + 1]), query.limit)
    following = None
    if last_row is not None:
        at = getattr(last_row, "last_message_at")  # noqa: B009 (an annotation)
        following = pagination.encode({"sort": SORT, "value": at, "id": last_row.pk})
    last = last_messages(rows)
    items = [_item(order, last[getattr(order, "last_message_id")]) for order in rows]  # noqa: B009
    return ConversationPageOut(items=items, next=following)
