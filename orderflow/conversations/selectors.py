from __future__ import annotations

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from orderflow.accounts.models import Contact, Membership
from orderflow.conversations.models import Attachment, Message, ThreadRead
from orderflow.orders.models import Order


def thread_for_staff(order: Order) -> list[Message]:
    """Every message and internal note of the order, oldest first, with their files."""
    return list(
        Message.objects.filter(order=order).prefetch_related("attachments").order_by("created_at", "id")
    )


def thread_for_customer(order: Order) -> list[Message]:
    """The messages a customer may read (never internal notes), oldest first, with their files."""
    return list(
        Message.objects.for_customer()
        .filter(order=order)
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def _attachments(order: Order) -> QuerySet[Attachment]:
    return Attachment.objects.filter(message__order=order, seller_id=order.seller_id)


def attachment_for_staff(order: Order, attachment_id: int) -> Attachment | None:
    """A file of this order's thread (message or internal note); the caller checked that the reader is
    staff of the order's seller."""
    return _attachments(order).filter(pk=attachment_id).first()


def attachment_for_customer(order: Order, attachment_id: int) -> Attachment | None:
    """A file of one of this order's public messages; never one of an internal note. The caller checked
    that the reader is a contact of the order's customer."""
    return _attachments(order).filter(pk=attachment_id, message__internal=False).first()


def thread_for_email(
    order: Order, *, up_to: int | None, customer: bool, limit: int
) -> tuple[list[Message], int]:
    """The thread as a message email shows it: newest first, from the message it tells of (`up_to`, a
    message id) back, at most `limit` messages, without internal notes for a customer; and how many
    older ones were left out."""
    messages = Message.objects.filter(order=order)
    if customer:
        messages = messages.filter(internal=False)
    if up_to is not None:
        messages = messages.filter(pk__lte=up_to)
    total = messages.count()
    shown = list(messages.prefetch_related("attachments").order_by("-created_at", "-id")[:limit])
    return shown, max(0, total - len(shown))


# ----------------------------------------------------------------------------------------------
# Conversations: every thread a reader may see, with what is unread for them.
#
# A staff member reads every message and internal note of their seller's orders; a customer's contact
# reads the public messages of their customer's orders. What they wrote themselves is never unread.

THREAD_FILTERS = ("mine", "unassigned", "waiting_us", "waiting_customer")


def _visible(*, contact: Contact | None) -> QuerySet[Message]:
    messages = Message.objects.all()
    return messages.filter(internal=False) if contact is not None else messages


def _not_by(
    messages: QuerySet[Message], membership: Membership | None, contact: Contact | None
) -> QuerySet[Message]:
    if membership is not None:
        return messages.exclude(author_membership=membership)
    return messages.exclude(author_contact=contact)


def _reader(membership: Membership | None, contact: Contact | None) -> Q:
    return Q(membership=membership) if membership is not None else Q(contact=contact)


def _threads(
    orders: QuerySet[Order], *, membership: Membership | None, contact: Contact | None
) -> QuerySet[Order]:
    """The orders with at least one message the reader may see, annotated with the newest of those
    (`last_message_id`, `last_message_at`), who wrote the newest public one (`last_public_kind`: the
    thread waits for the seller when it is the customer), and the reader's unread count (`unread`)."""
    visible = _visible(contact=contact).filter(order=OuterRef("pk"))
    newest = visible.order_by("-created_at", "-id")
    position = ThreadRead.objects.filter(_reader(membership, contact), order=OuterRef("pk"))
    unread = (
        _not_by(_visible(contact=contact), membership, contact)
        .filter(order=OuterRef("pk"), id__gt=OuterRef("read_position"))
        .order_by()
        .values("order")
        .annotate(count=Count("*"))
        .values("count")
    )
    last_public = Message.objects.filter(order=OuterRef("pk"), internal=False).order_by("-created_at", "-id")
    return (
        orders.filter(Exists(visible))
        .annotate(
            last_message_id=Subquery(newest.values("id")[:1]),
            last_message_at=Subquery(newest.values("created_at")[:1]),
            last_public_kind=Subquery(last_public.values("author_kind")[:1]),
            read_position=Coalesce(
                Subquery(position.values("last_read_message_id")[:1]), Value(0), output_field=IntegerField()
            ),
        )
        .annotate(unread=Coalesce(Subquery(unread), Value(0), output_field=IntegerField()))
        .order_by(F("last_message_at").desc(), "-pk")
    )


def _filtered(threads: QuerySet[Order], show: str, *, membership: Membership | None) -> QuerySet[Order]:
    if show == "mine" and membership is not None:
        return threads.filter(assignee=membership)
    if show == "unassigned":
        return threads.filter(assignee__isnull=True)
    if show == "waiting_us":
        return threads.filter(Q(last_public_kind="customer"))  # Q: annotations the type checker can't see
    if show == "waiting_customer":
        return threads.filter(Q(last_public_kind__isnull=False) & ~Q(last_public_kind="customer"))
    if show == "unread":
        return threads.filter(Q(unread__gt=0))
    return threads


def threads_for_staff(membership: Membership, *, show: str = "") -> QuerySet[Order]:
    """Every thread of the member's seller, the newest message first, with their unread counts;
    `show` narrows it: mine (assigned to them), unassigned, waiting_us (the customer wrote last),
    waiting_customer (the seller wrote last), unread."""
    orders = Order.objects.filter(seller_id=membership.seller_id).select_related(
        "customer", "assignee", "workflow_version"
    )
    return _filtered(_threads(orders, membership=membership, contact=None), show, membership=membership)


def threads_for_customer(contact: Contact, *, show: str = "") -> QuerySet[Order]:
    """The threads of the contact's customer's orders at its seller (public messages only), the newest
    first, with the contact's own unread counts."""
    orders = Order.objects.filter(
        seller_id=contact.customer.seller_id, customer_id=contact.customer_id
    ).select_related("workflow_version")
    return _filtered(_threads(orders, membership=None, contact=contact), show, membership=None)


def last_messages(threads: list[Order]) -> dict[int, Message]:
    """The newest message of each thread of a page (one query), by its id."""
    ids = [getattr(order, "last_message_id", None) for order in threads]
    return Message.objects.in_bulk([i for i in ids if i is not None])


def unread_thread_count(membership: Membership) -> int:
    """How many of the seller's threads hold something the member has not read: the menu's badge,
    one query on every page."""
    messages = Message.objects.filter(seller_id=membership.seller_id)
    return _threads_with_unread(messages, membership=membership, contact=None)


def unread_thread_count_for_customer(contact: Contact) -> int:
    """The same for a customer's contact: their customer's threads with public messages they have not
    read (internal notes never count)."""
    messages = Message.objects.filter(
        seller_id=contact.customer.seller_id, order__customer_id=contact.customer_id, internal=False
    )
    return _threads_with_unread(messages, membership=None, contact=contact)


def _threads_with_unread(
    messages: QuerySet[Message], *, membership: Membership | None, contact: Contact | None
) -> int:
    """How many orders among these messages have one after the reader's position, not theirs."""
    position = ThreadRead.objects.filter(_reader(membership, contact), order=OuterRef("order_id"))
    return (
        _not_by(messages, membership, contact)
        .annotate(
            read_position=Coalesce(
                Subquery(position.values("last_read_message_id")[:1]), Value(0), output_field=IntegerField()
            )
        )
        .filter(id__gt=F("read_position"))
        .values("order_id")
        .distinct()
        .count()
    )


def newest_message_id(order: Order, *, customer: bool) -> int:
    """The id of the thread's newest message the reader may see (0 for none): where opening the thread
    moves their read position. Taken before the page reads the thread, so that a message arriving
    meanwhile is at worst shown and still counted unread, never hidden and counted read."""
    messages = Message.objects.filter(order=order)
    if customer:
        messages = messages.filter(internal=False)
    return messages.order_by("-id").values_list("id", flat=True).first() or 0
