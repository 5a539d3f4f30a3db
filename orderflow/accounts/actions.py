"""Creating sellers, their staff, customers and contacts. Inputs are validated by the models' rules."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction

from orderflow.accounts.models import Contact, Customer, Membership, Role, Seller
from orderflow.core.errors import ActionError


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
) -> Contact:
    contact = Contact(
        customer=customer,
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        locale=locale,
        time_zone=time_zone,
        preferred_channels=list(preferred_channels),
    )
    _validated(contact)
    if not contact.email and not contact.phone:
        raise ActionError("invalid", "A contact needs an email address or a phone number.")
    contact.save()
    return contact
