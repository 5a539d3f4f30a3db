"""Installing order types from presets and publishing new workflow versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from orderflow.accounts.models import Role, Seller
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.notifications.rules import sync_default_rules
from orderflow.workflows.definition import WorkflowError, parse, resolve
from orderflow.workflows.loader import load_preset
from orderflow.workflows.models import OrderType, WorkflowVersion


def _check_may_configure(seller: Seller, actor: Actor) -> None:
    if actor.kind == "system":
        return
    membership = actor.membership
    if (
        actor.kind != "staff"
        or membership is None
        or membership.seller_id != seller.pk
        or membership.role not in (Role.OWNER, Role.MANAGER)
    ):
        raise Forbidden("forbidden", _("Only an owner or manager of this seller may change its workflows."))


def _validated(definition: Mapping[str, Any]) -> dict[str, Any]:
    try:
        parse(definition)
    except WorkflowError as exc:
        raise ActionError("invalid_workflow", _("The workflow was refused: %(exc)s") % {"exc": exc}) from None
    return dict(definition)


def install_order_type(
    seller: Seller,
    *,
    preset: str,
    actor: Actor,
    name: str | None = None,
    key: str | None = None,
    options: Mapping[str, str] | None = None,
) -> OrderType:
    """Create an order type for the seller from a preset, with version 1 of its workflow."""
    _check_may_configure(seller, actor)
    try:
        raw = load_preset(preset)
        definition = _validated(resolve(raw, options))
    except WorkflowError as exc:
        raise ActionError("invalid_workflow", _("The workflow was refused: %(exc)s") % {"exc": exc}) from None
    key = key or slugify(preset)
    with transaction.atomic():
        if OrderType.objects.filter(seller=seller, key=key).exists():
            raise ActionError("duplicate", _("This seller already has an order type %(key)r.") % {"key": key})
        order_type = OrderType.objects.create(
            seller=seller, key=key, name=name or str(raw["name"]), preset=preset, options=dict(options or {})
        )
        _publish(order_type, definition, actor=actor, note=f"Installed from preset {preset}")
    return order_type


def publish_workflow(
    order_type: OrderType, *, definition: Mapping[str, Any], actor: Actor, note: str = ""
) -> WorkflowVersion:
    """Validate and publish a new version; orders already placed keep the version they started on."""
    _check_may_configure(order_type.seller, actor)
    checked = _validated(resolve(definition) if "options" in definition else definition)
    with transaction.atomic():
        locked = OrderType.objects.select_for_update().get(pk=order_type.pk)
        version = _publish(locked, checked, actor=actor, note=note)
    order_type.current_version = version
    return version


def set_order_type_options(
    order_type: OrderType, *, options: Mapping[str, str], actor: Actor
) -> WorkflowVersion:
    """Change the seller's choices for a preset (e.g. the shop's pickup or delivery) as a new version."""
    if not order_type.preset:
        raise ActionError(
            "no_preset", _("This order type was not installed from a preset, so it has no options.")
        )
    try:
        definition = resolve(load_preset(order_type.preset), options)
    except WorkflowError as exc:
        raise ActionError("invalid_option", _("The option was refused: %(exc)s") % {"exc": exc}) from None
    version = publish_workflow(
        order_type, definition=definition, actor=actor, note=f"Options: {dict(sorted(options.items()))}"
    )
    OrderType.objects.filter(pk=order_type.pk).update(options=dict(options))
    order_type.options = dict(options)
    return version


def _publish(
    order_type: OrderType, definition: dict[str, Any], *, actor: Actor, note: str
) -> WorkflowVersion:
    """Caller holds a transaction (and the order type's lock when versions may race)."""
    last = order_type.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = WorkflowVersion.objects.create(
        order_type=order_type,
        number=last + 1,
        definition=definition,
        note=note[:200],
        created_by=actor.membership.user if actor.membership else None,
    )
    OrderType.objects.filter(pk=order_type.pk).update(current_version=version)
    order_type.current_version = version
    sync_default_rules(order_type, version.workflow)
    return version
