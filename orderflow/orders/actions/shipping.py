"""Shipping: the carriers a seller ships with, and the shipments staff record on an order."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.accounts.models import Role, Seller
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.notifications.emit import notify
from orderflow.orders.actions.common import _check_staff, _locked, _record, _save, _text
from orderflow.orders.models import TRACKING_PLACEHOLDER, Carrier, EventType, Order, Shipment

MAX_CARRIER_NAME = 80
MAX_PATTERN = 500
MAX_TRACKING = 60


def _check_manager(seller: Seller, actor: Actor) -> None:
    if actor.kind == "system":
        return
    membership = actor.membership
    if (
        actor.kind != "staff"
        or membership is None
        or membership.seller_id != seller.pk
        or not membership.is_active
        or membership.role not in (Role.OWNER, Role.MANAGER)
    ):
        raise Forbidden("forbidden", _("Only an owner or manager can change the carriers."))


def check_url_pattern(pattern: str) -> str:
    """An https address with {tracking} where the tracking number goes; returned stripped.
    Raises ActionError (`invalid`, field `url_pattern`) naming the fault."""
    pattern = _text(pattern, _("tracking address"), MAX_PATTERN, field="url_pattern")

    def refuse(message: str) -> ActionError:
        return ActionError("invalid", message, details={"field": "url_pattern"})

    if TRACKING_PLACEHOLDER not in pattern:
        raise refuse(_("The tracking address must contain {tracking} where the tracking number goes."))
    sample = pattern.replace(TRACKING_PLACEHOLDER, "1Z999")
    if "{" in sample or "}" in sample:
        raise refuse(_("The tracking address may contain no other placeholder than {tracking}."))
    parts = urlsplit(sample)
    if parts.scheme != "https":
        raise refuse(_("The tracking address must start with https://."))
    if TRACKING_PLACEHOLDER in (urlsplit(pattern).netloc or ""):
        raise refuse(_("The tracking number cannot be part of the address's host name."))
    try:
        URLValidator(schemes=["https"])(sample)
    except ValidationError:
        raise refuse(_("The tracking address is not a valid web address.")) from None
    return pattern


def tracking_url(pattern: str, tracking_number: str) -> str:
    """The carrier's page for one parcel: the number URL-encoded into the pattern (never able to add a
    path, a query or a fragment of its own)."""
    return pattern.replace(TRACKING_PLACEHOLDER, quote(tracking_number, safe=""))


def add_carrier(seller: Seller, *, name: str, url_pattern: str, actor: Actor) -> Carrier:
    _check_manager(seller, actor)
    name = _text(name, _("carrier name"), MAX_CARRIER_NAME, field="name")
    if not name:
        raise ActionError("invalid", _("Name the carrier."), details={"field": "name"})
    url_pattern = check_url_pattern(url_pattern)
    try:
        with transaction.atomic():
            return Carrier.objects.create(seller=seller, name=name, url_pattern=url_pattern)
    except IntegrityError:
        raise ActionError(
            "duplicate",
            _("There is already a carrier named %(name)s.") % {"name": name},
            details={"field": "name"},
        ) from None


def set_carrier_active(carrier: Carrier, *, active: bool, actor: Actor) -> Carrier:
    """Offer a carrier for new shipments again, or stop offering it (its shipments stay as they are)."""
    _check_manager(carrier.seller, actor)
    if carrier.is_active != active:
        carrier.is_active = active
        carrier.save(update_fields=["is_active"])
    return carrier


def record_shipment(
    order: Order,
    *,
    carrier: Carrier,
    tracking_number: str,
    actor: Actor,
    estimated_delivery: dt.date | None = None,
    expected_version: int | None = None,
) -> Shipment:
    """Record a parcel sent for the order: logged, and the customer told per the seller's rules (the
    `shipped` trigger). Refused for a carrier of another seller or one no longer offered, an empty or
    too long tracking number, a delivery date before the order was placed, or a cancelled order."""
    tracking_number = _text(tracking_number, _("tracking number"), MAX_TRACKING, field="tracking_number")
    if not tracking_number:
        raise ActionError("invalid", _("Give the tracking number."), details={"field": "tracking_number"})
    if any(not character.isprintable() for character in tracking_number):
        raise ActionError(
            "invalid",
            _("The tracking number can only contain letters, digits and punctuation."),
            details={"field": "tracking_number"},
        )
    with transaction.atomic():
        order = _locked(order, expected_version)
        _check_staff(order, actor)
        if carrier.seller_id != order.seller_id or not carrier.is_active:
            raise ActionError(
                "invalid",
                _("Choose one of this seller's carriers."),
                details={"field": "carrier"},
            )
        if order.current_state.category == "cancelled":
            raise ActionError("cancelled", _("This order is cancelled: nothing ships for it."))
        placed_on = order.submitted_at.astimezone(ZoneInfo(order.seller.time_zone)).date()
        if estimated_delivery is not None and estimated_delivery < placed_on:
            raise ActionError(
                "invalid",
                _("The estimated delivery cannot be before the order was placed."),
                details={"field": "estimated_delivery"},
            )
        shipment = Shipment.objects.create(
            order=order,
            carrier=carrier,
            carrier_name=carrier.name,
            tracking_number=tracking_number,
            tracking_url=tracking_url(carrier.url_pattern, tracking_number),
            estimated_delivery=estimated_delivery,
            shipped_at=timezone.now(),
            created_by_name=actor.name[:200],
        )
        _save(order, {})
        event = _record(
            order,
            EventType.SHIPPED,
            actor,
            data={
                "shipment": shipment.pk,
                "carrier": shipment.carrier_name,
                "tracking_number": shipment.tracking_number,
                "tracking_url": shipment.tracking_url,
                "estimated_delivery": estimated_delivery.isoformat() if estimated_delivery else None,
            },
        )
        notify(event, order=order)
    return shipment
