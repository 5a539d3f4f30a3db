"""Creating sellers, their staff, customers and contacts. Inputs are validated by the models' rules."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact, Customer, Membership, Role, Seller
from orderflow.core import outbound
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.notifications import links
from orderflow.notifications.channels import registry


def _validated(instance: models.Model, *, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        fields = exc.message_dict
        first_field, messages = next(iter(fields.items()))
        raise ActionError("invalid", f"{first_field}: {messages[0]}", details={"fields": fields}) from None


def create_seller(
    *, name: str, slug: str, time_zone: str = "UTC", locale: str = "en", currency: str = "USD"
) -> Seller:
    seller = Seller(
        name=name.strip(), slug=slug, time_zone=time_zone, locale=locale, currency=currency.upper()
    )
    _validated(seller)
    seller.save()
    return seller


def add_staff(
    seller: Seller,
    *,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    role: str = Role.STAFF,
    phone: str = "",
) -> Membership:
    """Create (or reuse) the user and make them staff of the seller with a role."""
    if role not in Role.values:
        raise ActionError("invalid", f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first_name, last_name=last_name, email=email)
            _validated(user, exclude=["password"])
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        if Membership.objects.filter(seller=seller, user=user).exists():
            raise ActionError("duplicate", f"{username} is already staff of {seller.name}.")
        membership = Membership(seller=seller, user=user, role=role, phone=phone)
        _validated(membership)
        membership.save()
    return membership


def add_customer(
    seller: Seller, *, name: str, kind: str = "", email_domain: str = "", reference: str = ""
) -> Customer:
    customer = Customer(
        seller=seller,
        name=name.strip(),
        kind=kind.strip(),
        email_domain=email_domain.strip().lower(),
        reference=reference.strip(),
    )
    _validated(customer)
    customer.save()
    return customer


def add_contact(
    customer: Customer,
    *,
    name: str,
    email: str = "",
    phone: str = "",
    locale: str = "en",
    time_zone: str = "UTC",
    preferred_channels: Sequence[str] = ("email",),
    messenger_url: str = "",
) -> Contact:
    contact = Contact(
        customer=customer,
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        locale=locale,
        time_zone=time_zone,
        preferred_channels=list(preferred_channels),
        messenger_url=messenger_url.strip(),
    )
    _validated(contact)
    unknown = sorted(set(contact.preferred_channels) - registry.pickable("contact"))
    if unknown:
        message = _("Unknown channel(s): %(names)s.") % {"names": ", ".join(unknown)}
        raise ActionError(
            "invalid",
            f"preferred_channels: {message}",
            details={"fields": {"preferred_channels": [message]}},
        )
    if contact.messenger_url and "://" not in contact.messenger_url:
        raise ActionError(
            "invalid", "The messenger address must be an Apprise URL such as tgram://token/chat."
        )
    if contact.messenger_url:
        try:
            outbound.check_apprise_url(contact.messenger_url)
        except outbound.OutboundRefused as refused:
            raise ActionError(refused.code, refused.message, details={"field": "messenger_url"}) from None
    if not contact.email and not contact.phone:
        raise ActionError("invalid", "A contact needs an email address or a phone number.")
    contact.save()
    return contact


def give_portal_login(contact: Contact, *, password: str, actor: Actor) -> User:
    """Let a contact sign in to the customer portal with their email address and a password.
    Staff of the contact's seller give it (or the system, e.g. the demo)."""
    if actor.kind == "customer":
        raise Forbidden("forbidden", "Only the seller's staff can give a portal login.")
    if actor.kind == "staff":
        by = actor.membership
        if by is None or not by.is_active or by.seller_id != contact.customer.seller_id:
            raise Forbidden("forbidden", "You are not staff of this seller.")
    if not password:
        raise ActionError("invalid", "Choose a password.", details={"field": "password"})
    if not contact.email:
        raise ActionError("invalid", "A portal login needs the contact's email address.")
    if contact.user_id:
        raise ActionError("duplicate", f"{contact.name} already has a portal login.")
    if User.objects.filter(username=contact.email).exists():
        raise ActionError("duplicate", f"The login {contact.email} is taken.")
    user = User(username=contact.email, email=contact.email, first_name=contact.name[:150])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ActionError("invalid", " ".join(exc.messages), details={"field": "password"}) from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        Contact.objects.filter(pk=contact.pk).update(user=user)
    contact.user = user
    return user


def deactivate_staff(membership: Membership, *, actor: Actor) -> Membership:
    """Stop a staff member working for the seller: no access to its pages, no assignments, no messages.
    Orders assigned to them stay assigned, so a manager can see what to hand over."""
    if actor.kind != "system":
        by = actor.membership
        if by is None or by.seller_id != membership.seller_id or by.role not in (Role.OWNER, Role.MANAGER):
            raise Forbidden("forbidden", "Only an owner or manager can deactivate staff.")
        if by.pk == membership.pk:
            raise ActionError("invalid", "You cannot deactivate yourself.")
    other_owners = Membership.objects.filter(seller_id=membership.seller_id, role=Role.OWNER, is_active=True)
    if membership.role == Role.OWNER and not other_owners.exclude(pk=membership.pk).exists():
        raise ActionError("last_owner", "A seller needs at least one active owner.")
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    membership.is_active = False
    return membership


def deactivate_contact(contact: Contact, *, actor: Actor) -> Contact:
    """A contact who left their customer: every link they were sent stops working (checked again each
    time one is used), and so does their portal login. Their orders and messages stay."""
    if actor.kind != "system":
        by = actor.membership
        seller_id = contact.customer.seller_id
        if actor.kind != "staff" or by is None or not by.is_active or by.seller_id != seller_id:
            raise Forbidden("forbidden", _("Only the seller's staff can deactivate a contact."))
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(is_active=False)
        links.revoke(by_id=actor.membership.pk if actor.membership else None, contact_id=contact.pk)
    contact.is_active = False
    return contact
