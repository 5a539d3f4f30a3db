"""Posting to an order's thread. A message is logged on the order and notifies per the rules; an
internal note stays among staff: it is never shown to the customer nor sent to them. A message may carry
files (`conversations.files` judges them); they are written to the storage only once every check
passed, and removed again if the message is not saved after all: no file outlives a refused message."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.conversations.files import CheckedFile, check_files
from orderflow.conversations.models import Attachment, Message
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden, NotAllowed
from orderflow.notifications.emit import notify
from orderflow.orders.actions import log_event
from orderflow.orders.models import EventType, Order

MAX_BODY = 5000


def customer_may_write(order: Order) -> bool:
    """Customers write about open orders only: the thread of a cancelled or closed order stays
    readable, but it is no place for new requests (nobody works on it any more)."""
    return not order.is_final and order.current_state.category != "cancelled"


logger = logging.getLogger(__name__)


def post_message(
    order: Order,
    *,
    body: str,
    actor: Actor,
    internal: bool = False,
    files: Sequence[tuple[str, bytes]] = (),
    via: str = "",
) -> Message:
    """Post to the thread. `files` are (name, content) pairs; `via` says how it came ("email") for the
    activity log. Raises ActionError, having written nothing (no row, no file)."""
    if actor.kind == "customer":
        if actor.contact is None or actor.contact.customer_id != order.customer_id:
            raise Forbidden("forbidden", _("This order is not yours."))
        if internal:
            raise Forbidden("forbidden", _("Customers cannot write internal notes."))
        if not customer_may_write(order):
            raise NotAllowed("closed", _("This order is closed: contact the seller another way."))
    elif actor.kind == "staff":
        membership = actor.membership
        if membership is None or membership.seller_id != order.seller_id or not membership.is_active:
            raise Forbidden("forbidden", _("You are not staff of this seller."))
    if not isinstance(body, str) or not body.strip():
        raise ActionError("invalid", _("Write a message first."), details={"field": "body"})
    body = body.strip()
    if len(body) > MAX_BODY:
        raise ActionError(
            "invalid",
            _("A message can be at most %(limit)s characters.") % {"limit": MAX_BODY},
            details={"field": "body"},
        )
    checked = check_files(list(files))
    stored: list[str] = []
    try:
        with transaction.atomic():
            message = _save(order, body=body, actor=actor, internal=internal, files=checked, stored=stored)
            data: dict[str, Any] = {"message_id": message.pk, "internal": internal}
            if checked:
                data["files"] = [f.name for f in checked]
            if via:
                data["via"] = via
            event = log_event(order, EventType.MESSAGE, actor, note=body, data=data)
            notify(event)
    except BaseException:
        _discard(stored)
        raise
    return message


def _save(
    order: Order, *, body: str, actor: Actor, internal: bool, files: list[CheckedFile], stored: list[str]
) -> Message:
    """The message and its files; each file's storage name is added to `stored` as soon as it is
    written, so that the caller can remove it if the transaction does not commit."""
    now = timezone.now()
    message = Message.objects.create(
        order=order,
        seller_id=order.seller_id,
        author_kind=actor.kind,
        author_membership=actor.membership,
        author_contact=actor.contact,
        author_name=actor.name[:200],
        body=body,
        internal=internal,
        created_at=now,
    )
    for checked in files:
        # A random name with no extension: nothing about the person's file name reaches the storage.
        name = default_storage.save(
            f"attachments/{order.seller_id}/{uuid.uuid4().hex}", ContentFile(checked.content)
        )
        stored.append(name)
        Attachment.objects.create(
            message=message,
            seller_id=order.seller_id,
            name=checked.name,
            size=checked.size,
            content_type=checked.content_type,
            sha256=checked.sha256,
            stored_as=name,
            created_at=now,
        )
    return message


def _discard(stored: list[str]) -> None:
    for name in stored:
        try:
            default_storage.delete(name)
        except Exception:  # the storage is unreachable: say which file was left behind
            logger.exception("Could not remove the file %s of a message that was not saved", name)
