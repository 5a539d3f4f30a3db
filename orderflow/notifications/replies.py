"""Reply addresses: each message email to a contact or a staff member carries its own address,
reply+<token>@INBOUND_EMAIL_DOMAIN, so that answering the email posts to the order's thread as them.

Like the links in messages (`links`, whose helpers write it under its own salt), the token is a
capability naming a `ReplyGrant` row: never stored (its SHA-256 finds the grant), written again from the
grant's nonce and the secret key when the message is rendered again, refused once it expires or once
staff revoke the order's or the contact's links (`links.revoke` withdraws both). It is lower-case
base32: mail systems may fold the case of an address's local part."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.notifications import links
from orderflow.notifications.models import Notification, ReplyGrant

LOCAL_PART = "reply"
ADDRESS_RE = re.compile(rf"{LOCAL_PART}\+([a-z2-7]{{26}})@", re.IGNORECASE)


SALT = "orderflow.replies"


class BadReply(links.BadLink):
    """The reply address is unknown, expired, withdrawn, or its person gone."""


def token_of(grant: ReplyGrant) -> str:
    return links.written_again(grant, salt=SALT, base32=True)  # base32: mail may fold the case


def grant_for(notification: Notification, *, nonce: str = "") -> ReplyGrant | None:
    """The reply grant of a message to one person about an order, made on first use; None for a
    message that cannot be answered (no order, no person)."""
    if notification.order_id is None or notification.pk is None:
        return None
    if (notification.contact_id is None) == (notification.membership_id is None):
        return None
    found = ReplyGrant.objects.filter(notification=notification).first()
    if found is not None:
        return found
    nonce = nonce or secrets.token_hex(16)
    now = timezone.now()
    ReplyGrant.objects.bulk_create(
        [
            ReplyGrant(
                seller_id=notification.seller_id,
                order_id=notification.order_id,
                notification=notification,
                contact_id=notification.contact_id,
                membership_id=notification.membership_id,
                token_hash=links.digest(links.make_token(nonce, settings.SECRET_KEY, salt=SALT, base32=True)),
                nonce=nonce,
                created_at=now,
                expires_at=now + dt.timedelta(days=settings.REPLY_ADDRESS_DAYS),
            )
        ],
        ignore_conflicts=True,
    )
    return ReplyGrant.objects.filter(notification=notification).first()


def address_for(notification: Notification) -> str:
    """The reply address of this message, or "" when replies by email are off (no INBOUND_EMAIL_DOMAIN)."""
    if not settings.INBOUND_EMAIL_DOMAIN:
        return ""
    grant = grant_for(notification)
    if grant is None:
        return ""
    return f"{LOCAL_PART}+{token_of(grant)}@{settings.INBOUND_EMAIL_DOMAIN}"


def token_in(addresses: list[str]) -> str:
    """The first reply token among these addresses, or ""."""
    for address in addresses:
        found = ADDRESS_RE.search(address or "")
        if found:
            return found.group(1).lower()
    return ""


def resolve(token: str) -> ReplyGrant:
    """The grant a reply token names, still honoured; raises BadReply otherwise."""
    found = (
        ReplyGrant.objects.select_related("order__seller", "contact", "membership__user")
        .filter(token_hash=links.digest(token.lower()))
        .first()
    )
    if found is None:
        raise BadReply("invalid_token", _("This reply address is not one we gave out."))
    if found.revoked_at is not None:
        raise BadReply("revoked", _("This reply address was withdrawn by the seller."))
    if found.expires_at <= timezone.now():
        raise BadReply("expired", _("This reply address has expired."))
    person = found.contact if found.contact is not None else found.membership
    if person is None or not person.is_active:
        raise BadReply("person_inactive", _("This reply address belongs to someone whose access was closed."))
    ReplyGrant.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found
