"""Who may move people in and out of an order: the seller's active staff (leads and participants), and
the customer's contacts for the participants of their own orders."""

from __future__ import annotations

from django.utils.translation import gettext as _

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.orders.models import Order

KIND_VALUES = ("participant", "lead")


def check_kind(kind: str) -> None:
    if kind not in KIND_VALUES:
        raise ActionError("unknown_kind", _("Choose participants or leads."), details={"field": "kind"})


def check_may_transfer(actor: Actor, order: Order, kind: str) -> None:
    """Staff of the order's seller for either kind; a contact of the order's customer for participants."""
    check_kind(kind)
    if actor.kind == "staff" and actor.membership is not None:
        if actor.membership.seller_id == order.seller_id and actor.membership.is_active:
            return
    elif actor.kind == "customer" and actor.contact is not None:
        contact = actor.contact
        if contact.customer_id == order.customer_id and contact.is_active and kind == "participant":
            return
    elif actor.kind == "system":
        return
    raise Forbidden("forbidden", _("You cannot import or export the people of this order."))


def who_key(actor: Actor) -> str:
    if actor.membership is not None:
        return f"staff:{actor.membership.pk}"
    if actor.contact is not None:
        return f"contact:{actor.contact.pk}"
    return "system"
