"""Links that let a contact act without logging in: track, preferences, rate, delivery time,
unsubscribe. A link is a capability: an opaque random token naming a `LinkGrant` row (one purpose, one
order or the contact's settings, an expiry), refused once it expires, once staff revoke it or once the
contact is deactivated. Which states of the order a purpose acts in is the actions' rule, not this
module's.

The token is never stored. It is an HMAC of the grant's random nonce under the secret key, so rendering a
message again (a retried delivery, an SMS beside an email) writes the same link instead of minting
another; its SHA-256 finds the grant. Links signed before grants existed (signed JSON naming ids) are
honoured until they expire, as a grant made on their first use, so that revocation reaches them."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact
from orderflow.notifications.models import LinkGrant, LinkPurpose, LinkRevocation, Notification, ReplyGrant

# purpose: (path prefix, days valid). Short prefixes: these links travel in SMS (see portal/urls.py);
# core.logmask masks tokens on them in logs.
PURPOSES = {
    LinkPurpose.TRACK: ("t", 180),
    LinkPurpose.PREFS: ("p", 365),
    LinkPurpose.RATE: ("f", 60),
    LinkPurpose.DELIVERY: ("d", 30),
    LinkPurpose.UNSUBSCRIBE: ("u", 365),
    # A quote's link answers the version its message announced, while that version is open: it stops
    # working when the quote expires, is replaced by a revision or is answered (portal `q/`).
    LinkPurpose.QUOTE: ("q", 366),
}


class BadLink(Exception):
    """The link is damaged, unknown, made for something else, expired, revoked, or its person gone."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# The capabilities written from a grant's nonce: links in messages, and reply addresses (`replies`).
# Each kind has its own salt, so that one kind's token is never another's.
LINK_SALT = "orderflow.links"

G = TypeVar("G", LinkGrant, ReplyGrant)


def digest(token: str) -> str:
    """What a grant stores of its token (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()


def make_token(nonce: str, secret: str, *, salt: str = LINK_SALT, base32: bool = False) -> str:
    """The token of a nonce under a secret key: URL-safe base64 (144 bits, 24 characters), or
    lower-case base32 (128 bits, 26 characters) where case may be folded, as in an email address."""
    mac = salted_hmac(salt, nonce, secret=secret, algorithm="sha256").digest()
    if base32:
        return base64.b32encode(mac[:16]).decode().rstrip("=").lower()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def written_again(grant: LinkGrant | ReplyGrant, *, salt: str = LINK_SALT, base32: bool = False) -> str:
    """The grant's token, written again. After the secret key is rotated (the old one kept in
    SECRET_KEY_FALLBACKS) the old token is still found; only when no key makes it is a new one chosen."""
    for secret in [settings.SECRET_KEY, *map(str, settings.SECRET_KEY_FALLBACKS)]:
        token = make_token(grant.nonce, secret, salt=salt, base32=base32)
        if constant_time_compare(digest(token), grant.token_hash):
            return token
    grant.nonce = secrets.token_hex(16)
    token = make_token(grant.nonce, settings.SECRET_KEY, salt=salt, base32=base32)
    grant.token_hash = digest(token)
    type(grant)._default_manager.filter(pk=grant.pk).update(nonce=grant.nonce, token_hash=grant.token_hash)
    return token


def token_of(grant: LinkGrant) -> str:
    """The link grant's token, written again (see `written_again`). A grant of a link signed before
    grants existed has no nonce: its token is only the one it came with."""
    if not grant.nonce:
        raise ValueError("a link signed before grants existed cannot be written again")
    return written_again(grant)


def url_of(grant: LinkGrant) -> str:
    prefix, _days = PURPOSES[LinkPurpose(grant.purpose)]
    return f"{settings.SITE_URL}/{prefix}/{token_of(grant)}/"


def _new(purpose: str, *, seller_id: int, contact_id: int, order_id: int | None, **extra: Any) -> LinkGrant:
    _prefix, days = PURPOSES[LinkPurpose(purpose)]
    now = timezone.now()
    nonce = secrets.token_hex(16)
    return LinkGrant(
        purpose=purpose,
        seller_id=seller_id,
        order_id=order_id if purpose not in (LinkPurpose.PREFS, LinkPurpose.UNSUBSCRIBE) else None,
        contact_id=contact_id,
        token_hash=digest(make_token(nonce, settings.SECRET_KEY)),
        nonce=nonce,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
        **extra,
    )


def grant(purpose: str, *, contact: int | Contact, order: int | None = None) -> LinkGrant:
    """A new grant, not tied to a message (staff tools, tests)."""
    if isinstance(contact, int):
        contact = Contact.objects.select_related("customer").get(pk=contact)
    made = _new(purpose, seller_id=contact.customer.seller_id, contact_id=contact.pk, order_id=order)
    made.save()
    return made


def token(purpose: str, *, contact: int | Contact, order: int | None = None) -> str:
    return token_of(grant(purpose, contact=contact, order=order))


def url(purpose: str, *, contact: int | Contact, order: int | None = None) -> str:
    return url_of(grant(purpose, contact=contact, order=order))


def offered_from(source: LinkGrant, purpose: str) -> LinkGrant:
    """The link a link's page offers for another purpose (the rate page from the tracking page): made
    once per page and purpose, never outliving the link it was offered from."""
    found = LinkGrant.objects.filter(source=source, purpose=purpose).first()
    if found is None:
        made = _new(
            purpose,
            seller_id=source.seller_id,
            contact_id=source.contact_id,
            order_id=source.order_id,
            source=source,
        )
        made.expires_at = min(made.expires_at, source.expires_at)
        LinkGrant.objects.bulk_create([made], ignore_conflicts=True)
        found = LinkGrant.objects.get(source=source, purpose=purpose)
    return found


def for_notifications(wanted: Iterable[tuple[Notification, str]]) -> dict[tuple[int, str], LinkGrant]:
    """The grants of these (message to a contact, purpose) pairs, made where missing, in two queries
    for the lot. Idempotent per (notification, purpose): rendering a message again finds its grant."""
    new = [
        _new(
            purpose,
            seller_id=n.seller_id,
            contact_id=n.contact_id,
            order_id=n.order_id,
            notification_id=n.pk,
        )
        for n, purpose in wanted
        if n.contact_id is not None and n.pk is not None
    ]
    if not new:
        return {}
    LinkGrant.objects.bulk_create(new, ignore_conflicts=True)
    found = LinkGrant.objects.filter(
        notification_id__in={g.notification_id for g in new}, purpose__in={g.purpose for g in new}
    )
    return {(g.notification_id, g.purpose): g for g in found if g.notification_id is not None}


def resolve(purpose: str, value: str) -> LinkGrant:
    """The grant this token names, for this purpose, still honoured: raises BadLink otherwise. The
    contact's state is read now: a deactivated contact's links stop working at once."""
    found = _legacy(purpose, value) if ":" in value else None
    if found is None:
        found = (
            LinkGrant.objects.select_related("contact__customer__seller")
            .filter(token_hash=digest(value))
            .first()
        )
    if found is None:
        raise BadLink("invalid", _("This link is not valid. Check that it was copied whole."))
    if found.purpose != purpose:
        raise BadLink("wrong_purpose", _("This link was made for something else."))
    now = timezone.now()
    if found.revoked_at is not None:
        raise BadLink("revoked", _("This link was withdrawn by the seller. Ask them for a new one."))
    if found.expires_at <= now:
        raise BadLink("expired", _("This link has expired. Ask for a new one."))
    if not found.contact.is_active:
        raise BadLink("contact_inactive", _("This link no longer works: your access was closed."))
    LinkGrant.objects.filter(pk=found.pk).update(last_used_at=now)
    return found


def _legacy(purpose: str, value: str) -> LinkGrant | None:
    """A link signed before grants existed: its grant, made on first use; None if it is not one."""
    _prefix, days = PURPOSES[LinkPurpose(purpose)]
    hashed = digest(value)
    known = LinkGrant.objects.select_related("contact__customer__seller").filter(token_hash=hashed).first()
    if known is not None:
        return known
    try:
        data = signing.loads(value, salt=f"orderflow.{purpose}", max_age=days * 86400)
        signed_at = dt.datetime.fromtimestamp(signing.b62_decode(value.rsplit(":", 2)[1]), tz=dt.UTC)
        contact = Contact.objects.select_related("customer__seller").get(pk=int(data["contact"]))
        order_id = int(data["order"]) if "order" in data else None
    except signing.SignatureExpired:
        raise BadLink("expired", _("This link has expired. Ask for a new one.")) from None
    except (signing.BadSignature, KeyError, ValueError, TypeError, IndexError, Contact.DoesNotExist):
        return None
    made = LinkGrant(
        purpose=purpose,
        seller_id=contact.customer.seller_id,
        order_id=order_id,
        contact=contact,
        token_hash=hashed,
        created_at=signed_at,
        expires_at=signed_at + dt.timedelta(days=days),
    )
    # Staff revoked this order's or this contact's links after it was signed: it is revoked too.
    scope = Q(contact=contact) | (Q(order_id=order_id) if order_id is not None else Q(pk__in=[]))
    revocation = LinkRevocation.objects.filter(scope, created_at__gte=signed_at).first()
    if revocation is not None:
        made.revoked_at, made.revoked_by_id = revocation.created_at, revocation.by_id
    LinkGrant.objects.bulk_create([made], ignore_conflicts=True)
    return LinkGrant.objects.select_related("contact__customer__seller").get(token_hash=hashed)


def revoke(*, by_id: int | None, order_id: int | None = None, contact_id: int | None = None) -> int:
    """Revoke every live link of an order or of a contact; how many. The caller checks who may."""
    if order_id is None and contact_id is None:
        raise ValueError("revoke the links of an order or of a contact, not every link")
    now = timezone.now()
    # The reply addresses of the same messages are capabilities too: withdrawn with the links.
    _live(ReplyGrant.objects.all(), order_id, contact_id).update(revoked_at=now)
    return _live(LinkGrant.objects.all(), order_id, contact_id).update(revoked_at=now, revoked_by_id=by_id)


def _live(grants: QuerySet[G], order_id: int | None, contact_id: int | None) -> QuerySet[G]:
    live = grants.filter(revoked_at__isnull=True)
    if order_id is not None:
        live = live.filter(order_id=order_id)
    if contact_id is not None:
        live = live.filter(contact_id=contact_id)
    return live


# Approval links of customer confirmations (quotes, source article 003). Such a link names its
# `Confirmation` row and carries an HMAC of the row's id and `link_nonce`: rendering the message again
# writes the same link, a new nonce voids the links sent before, and whether the confirmation is still
# open (not accepted, revoked or expired with its quote) is the quotes actions' rule, read at each use.
APPROVAL_PREFIX = "a"


def _approval_mac(confirmation_id: int, nonce: str, secret: str) -> str:
    mac = salted_hmac(
        "orderflow.links.approval", f"{confirmation_id}:{nonce}", secret=secret, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def approval_token(confirmation_id: int, nonce: str) -> str:
    return f"{confirmation_id}.{_approval_mac(confirmation_id, nonce, settings.SECRET_KEY)}"


def approval_url(confirmation_id: int, nonce: str) -> str:
    return f"{settings.SITE_URL}/{APPROVAL_PREFIX}/{approval_token(confirmation_id, nonce)}/"


def approval_id(token: str) -> int:
    """The confirmation an approval token names (not yet checked: see `approval_matches`); raises
    BadLink for a token that cannot be one."""
    head, _sep, mac = token.partition(".")
    if not head.isdigit() or len(head) > 18 or len(mac) != 24:
        raise BadLink("invalid", _("This link is not valid. Check that it was copied whole."))
    return int(head)


def approval_matches(token: str, confirmation_id: int, nonce: str) -> bool:
    """Whether the token was signed for this confirmation and nonce (under the key or a fallback)."""
    _head, _sep, mac = token.partition(".")
    return any(
        constant_time_compare(mac, _approval_mac(confirmation_id, nonce, str(secret)))
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )
