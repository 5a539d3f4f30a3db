"""A seller's terms and conditions: versioned, never edited. Publishing appends the next version."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.accounts.models import Role, Seller
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict, Forbidden
from orderflow.quotes.models import Terms

MAX_TITLE = 200
MAX_BODY = 100_000


def may_publish_terms(actor: Actor, seller: Seller) -> bool:
    membership = actor.membership
    return (
        actor.kind == "staff"
        and membership is not None
        and membership.seller_id == seller.pk
        and membership.is_active
        and membership.role in (Role.OWNER, Role.MANAGER)
    )


def current_terms(seller: Seller | int) -> Terms | None:
    """The version customers are shown now: the highest."""
    seller_id = seller if isinstance(seller, int) else seller.pk
    return Terms.objects.filter(seller_id=seller_id).order_by("-version").first()


def publish_terms(seller: Seller, *, title: str, body: str, actor: Actor) -> Terms:
    """Append the next version of the seller's terms (owners and managers). Confirmations accepted
    before keep the version they showed. Refused: empty or too long (`invalid`), the same text as the
    current version (`unchanged`)."""
    if not may_publish_terms(actor, seller):
        raise Forbidden("forbidden", _("Only an owner or a manager can publish the terms and conditions."))
    title = (title or "").strip()
    # Line ends as typed in any browser or client, kept the same way so the digest does not depend on them.
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not title or len(title) > MAX_TITLE:
        raise ActionError(
            "invalid",
            _("Give the terms a title of at most %(limit)s characters.") % {"limit": MAX_TITLE},
            details={"field": "title"},
        )
    if not body or len(body) > MAX_BODY:
        raise ActionError(
            "invalid",
            _("Write the terms (at most %(limit)s characters).") % {"limit": MAX_BODY},
            details={"field": "body"},
        )
    digest = Terms.digest(body)
    with transaction.atomic():
        latest = Terms.objects.select_for_update().filter(seller=seller).order_by("-version").first()
        if latest is not None and latest.sha256 == digest and latest.title == title:
            raise ActionError(
                "unchanged",
                _("These are the current terms, word for word: there is nothing to publish."),
            )
        try:
            with transaction.atomic():
                return Terms.objects.create(
                    seller=seller,
                    version=(latest.version + 1) if latest else 1,
                    title=title,
                    body=body,
                    sha256=digest,
                    created_by_name=actor.name[:200],
                    created_at=timezone.now(),
                )
        except IntegrityError:  # another version was published at the same moment
            raise Conflict(
                "stale", _("Someone published the terms at the same moment. Reload and try again.")
            ) from None
