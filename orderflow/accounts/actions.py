"""Creating sellers, their staff, customers and contacts; invitations to choose a password, password
resets and login lockouts. Inputs are validated by the models' rules.

Customers and contacts: any active staff member of the seller may add and change them (staff take
orders by phone and meet new contacts first) and deactivate or reactivate a contact; every change is a
line of the customer's append-only log (`CustomerEvent`) naming who made it. One module rather than a
package so that the other accounts changes in flight merge with it; the customer half is a candidate to
move to `actions/customers.py` once they have."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from babel import numbers as babel_numbers
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.accounts import throttle
from orderflow.accounts.models import (
    LOCALES,
    Contact,
    Customer,
    CustomerDomain,
    CustomerEvent,
    CustomerEventType,
    Invitation,
    Membership,
    Role,
    Seller,
    normalize_domain,
    validate_domain,
)
from orderflow.core import outbound
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.notifications import links, outbox, windows
from orderflow.notifications.actions import set_schedule
from orderflow.notifications.channels import registry
from orderflow.notifications.models import DeliverySchedule, Notification
from orderflow.orders.actions import index_customer


def _validated(instance: models.Model, *, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        fields = exc.message_dict
        first_field, messages = next(iter(fields.items()))
        raise ActionError(
            "invalid",
            _("%(field)s: %(problem)s") % {"field": first_field, "problem": messages[0]},
            details={"fields": fields},
        ) from None


def create_seller(
    *, name: str, slug: str, time_zone: str = "UTC", locale: str = "en", currency: str = "USD"
) -> Seller:
    seller = Seller(
        name=name.strip(), slug=slug, time_zone=time_zone, locale=locale, currency=currency.upper()
    )
    _validated(seller)
    seller.save()
    return seller


def update_seller(
    seller: Seller,
    *,
    actor: Actor,
    name: str,
    time_zone: str,
    locale: str,
    currency: str,
    allow_backorders: bool,
) -> Seller:
    """The seller's own settings (owner or manager). The currency cannot change once orders exist:
    their amounts are in the currency they were placed in (`currency_locked`)."""
    _staff_of(seller.pk, actor, roles=(Role.OWNER, Role.MANAGER))
    currency = currency.strip().upper()
    if currency not in babel_numbers.list_currencies():
        raise ActionError(
            "invalid",
            _("%(code)r is not a currency code (use three letters such as CAD, EUR or USD).")
            % {"code": currency},
            details={"field": "currency"},
        )
    with transaction.atomic():
        locked = Seller.objects.select_for_update().get(pk=seller.pk)
        if currency != locked.currency and locked.order_counter > 0:
            raise ActionError(
                "currency_locked",
                _("The currency cannot change: this seller already has orders in %(currency)s.")
                % {"currency": locked.currency},
                details={"field": "currency"},
            )
        locked.name, locked.time_zone, locked.locale = name.strip(), time_zone.strip(), locale
        locked.currency, locked.allow_backorders = currency, allow_backorders
        if not locked.name:
            raise ActionError("invalid", _("Name the business."), details={"field": "name"})
        _validated(locked, exclude=["slug", "sender_domains"])
        locked.save(update_fields=["name", "time_zone", "locale", "currency", "allow_backorders"])
    for field in ("name", "time_zone", "locale", "currency", "allow_backorders"):
        setattr(seller, field, getattr(locked, field))
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
        raise ActionError(
            "invalid",
            _("Unknown role %(role)r; use one of %(values)s.")
            % {"role": role, "values": ", ".join(Role.values)},
        )
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
            raise ActionError(
                "duplicate",
                _("%(username)s is already staff of %(seller)s.")
                % {"username": username, "seller": seller.name},
            )
        membership = Membership(seller=seller, user=user, role=role, phone=phone)
        _validated(membership)
        membership.save()
    return membership


def add_customer(
    seller: Seller,
    *,
    name: str,
    kind: str = "",
    email_domain: str = "",
    email_domains: Iterable[str] = (),
    reference: str = "",
    notes: str = "",
) -> Customer:
    """`create_customer` by the system: the demo loader and test fixtures. `email_domain` is one more
    domain, as the callers written before customers had several pass it."""
    domains = [*email_domains, *([email_domain] if email_domain.strip() else [])]
    return create_customer(
        seller,
        name=name,
        kind=kind,
        email_domains=domains,
        reference=reference,
        notes=notes,
        actor=Actor.system(),
    )


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
    """`create_contact` by the system: the demo loader and test fixtures."""
    return create_contact(
        customer,
        name=name,
        email=email,
        phone=phone,
        locale=locale,
        time_zone=time_zone,
        preferred_channels=preferred_channels,
        messenger_url=messenger_url,
        actor=Actor.system(),
    )


def create_portal_login(contact: Contact, *, password: str, actor: Actor) -> User:
    """Give a contact a portal login with a password chosen by the system itself: the demo loader and
    test fixtures. People choose their own password through an invitation (`invite_contact`); staff
    never set or see one."""
    if actor.kind != "system":
        raise Forbidden("forbidden", _("Invite the contact instead: they choose their own password."))
    with transaction.atomic():
        return _portal_login(contact, password=password)


def _portal_login(contact: Contact, *, password: str) -> User:
    """Caller holds the transaction."""
    if not contact.email:
        raise ActionError("invalid", _("A portal login needs the contact's email address."))
    if Contact.objects.filter(pk=contact.pk, user__isnull=False).exists():
        raise ActionError("duplicate", _("%(name)s already has a portal login.") % {"name": contact.name})
    user = _new_user(contact.email, name=contact.name, password=password)
    Contact.objects.filter(pk=contact.pk).update(user=user)
    contact.user = user
    return user


def _new_user(email: str, *, name: str, password: str) -> User:
    """A login named by its email address, with a password the validators accept. Caller holds the
    transaction."""
    if _login_taken(email):
        raise ActionError("duplicate", _("The login %(email)s is taken.") % {"email": email})
    user = User(username=email, email=email, first_name=name[:150])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ActionError("invalid", " ".join(exc.messages), details={"field": "password"}) from None
    user.set_password(password)
    user.save()
    return user


def _login_taken(email: str) -> bool:
    return User.objects.filter(models.Q(username__iexact=email) | models.Q(email__iexact=email)).exists()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _staff_of(seller_id: int, actor: Actor, *, roles: Sequence[str] = tuple(Role.values)) -> Membership:
    by = actor.membership if actor.kind == "staff" else None
    if by is None or not by.is_active or by.seller_id != seller_id or by.role not in roles:
        raise Forbidden("forbidden", _("You may not do this for this seller."))
    return by


def _invite(
    seller: Seller, *, email: str, name: str, by: Membership, contact: Contact | None = None, role: str = ""
) -> Invitation:
    """Write the invitation, withdrawing the person's earlier ones, and tell them. Caller holds the
    transaction."""
    now = timezone.now()
    earlier = Invitation.objects.filter(
        seller=seller, email__iexact=email, used_at__isnull=True, withdrawn_at__isnull=True
    )
    earlier.update(withdrawn_at=now)
    token = secrets.token_urlsafe(32)
    hours = settings.INVITATION_HOURS
    invitation = Invitation.objects.create(
        seller=seller,
        contact=contact,
        role=role,
        email=email,
        name=name,
        token_hash=_token_hash(token),
        invited_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    link = settings.SITE_URL + reverse("invitation", kwargs={"token": token})
    outbox.tell_person(
        seller.pk,
        email=email,
        name=name,
        locale=contact.locale if contact is not None else seller.locale,
        template="portal_invitation" if contact is not None else "staff_invitation",
        payload={"action_url": link, "valid_hours": str(hours)},
        reason=f"{by.display_name} invited {email}.",
        contact=contact,
    )
    return invitation


def invite_contact(contact: Contact, *, actor: Actor) -> Invitation:
    """Email the contact a single-use link to choose the password of their portal login (valid
    INVITATION_HOURS). A new invitation withdraws the contact's earlier ones."""
    seller = contact.customer.seller
    by = _staff_of(seller.pk, actor)
    if not contact.email:
        raise ActionError("invalid", _("A portal login needs the contact's email address."))
    if contact.user_id:
        raise ActionError("duplicate", _("%(name)s already has a portal login.") % {"name": contact.name})
    if _login_taken(contact.email):
        raise ActionError("duplicate", _("The login %(email)s is taken.") % {"email": contact.email})
    with transaction.atomic():
        return _invite(seller, email=contact.email, name=contact.name, by=by, contact=contact)


def invite_staff(seller: Seller, *, email: str, name: str, role: str, actor: Actor) -> Invitation:
    """Email a new staff member a single-use link to choose their password; accepting it makes them
    staff of the seller with `role`. Owners and managers invite; only an owner invites an owner."""
    by = _staff_of(seller.pk, actor, roles=(Role.OWNER, Role.MANAGER))
    if role not in Role.values:
        raise ActionError("invalid", _("Choose a role."), details={"field": "role"})
    if role == Role.OWNER and by.role != Role.OWNER:
        raise Forbidden("forbidden", _("Only an owner can invite an owner."))
    email = email.strip().lower()
    try:
        EmailValidator()(email)
    except ValidationError:
        raise ActionError("invalid", _("Enter a valid email address."), details={"field": "email"}) from None
    if _login_taken(email):
        raise ActionError("duplicate", _("The login %(email)s is taken.") % {"email": email})
    with transaction.atomic():
        return _invite(seller, email=email, name=name.strip(), by=by, role=role)


def open_invitation(token: str) -> Invitation | None:
    """The invitation of this link while it can still be accepted; None when it does not exist, was
    used or withdrawn, or expired."""
    invitation = (
        Invitation.objects.select_related("seller", "contact").filter(token_hash=_token_hash(token)).first()
    )
    if invitation is None or not invitation.is_open(timezone.now()):
        return None
    return invitation


def accept_invitation(token: str, *, password: str) -> User:
    """Create the invited person's login with the password they chose, once: a contact's portal login,
    or a staff membership. A link used, withdrawn or expired raises `invitation_closed` and changes
    nothing."""
    closed = ActionError("invitation_closed", _("This invitation has expired or was already used."))
    now = timezone.now()
    with transaction.atomic():
        invitation = open_invitation(token)
        # The compare-and-swap makes two tries at once use it once: the second one updates no row.
        if invitation is None or not Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=now
        ):
            raise closed
        contact = invitation.contact
        if contact is not None:
            if contact.email.lower() != invitation.email.lower():
                raise closed  # the contact's address changed since: the link was for the old one
            return _portal_login(contact, password=password)
        user = _new_user(invitation.email, name=invitation.name, password=password)
        Membership.objects.create(seller=invitation.seller, user=user, role=invitation.role)
    return user


def unlock_login(person: Membership | Contact, *, actor: Actor) -> int:
    """Lift the login lockout of a staff member or a contact (failed sign-ins at every address are
    forgotten). An owner of their seller does it. Returns how many records were cleared."""
    seller_id = person.seller_id
    _staff_of(seller_id, actor, roles=(Role.OWNER,))
    user = person.user
    if user is None:
        return 0
    return throttle.forget_failures(user.get_username())


def send_password_reset(user: User, *, reset_url: str) -> Notification | None:
    """Email a user the link of a password reset they (or someone typing their address) asked for.
    Sent in the name of a seller they work for or buy from; nothing for a login with neither (the
    Django admin's: `manage.py changepassword`)."""
    contact = Contact.objects.select_related("customer__seller").filter(user=user).first()
    membership = (
        Membership.objects.select_related("seller").filter(user=user, is_active=True).order_by("pk").first()
    )
    if contact is not None:
        seller, locale = contact.customer.seller, contact.locale
    elif membership is not None:
        seller, locale = membership.seller, membership.seller.locale
    else:
        return None
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return outbox.tell_person(
        seller.pk,
        email=user.email,
        name=user.get_full_name() or user.get_username(),
        locale=locale,
        template="password_reset",
        payload={"action_url": reset_url, "valid_hours": str(hours)},
        reason="A password reset was asked for on the login page.",
        contact=contact,
        membership=membership if contact is None else None,
    )


def deactivate_staff(membership: Membership, *, actor: Actor) -> Membership:
    """Stop a staff member working for the seller: no access to its pages, no assignments, no messages.
    Orders assigned to them stay assigned, so a manager can see what to hand over."""
    if actor.kind != "system":
        by = actor.membership
        if by is None or by.seller_id != membership.seller_id or by.role not in (Role.OWNER, Role.MANAGER):
            raise Forbidden("forbidden", _("Only an owner or manager can deactivate staff."))
        if by.pk == membership.pk:
            raise ActionError("invalid", _("You cannot deactivate yourself."))
    other_owners = Membership.objects.filter(seller_id=membership.seller_id, role=Role.OWNER, is_active=True)
    if membership.role == Role.OWNER and not other_owners.exclude(pk=membership.pk).exists():
        raise ActionError("last_owner", _("A seller needs at least one active owner."))
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    membership.is_active = False
    return membership


def set_staff_language(membership: Membership, *, language: str, actor: Actor) -> Membership:
    """The language of a member's pages at this seller; "" follows the seller's language."""
    if actor.kind != "system" and (actor.membership is None or actor.membership.pk != membership.pk):
        raise Forbidden("forbidden", _("Only you can choose the language of your pages."))
    if language and language not in dict(LOCALES):
        raise ActionError("invalid", _("Choose one of the languages offered."), details={"field": "language"})
    Membership.objects.filter(pk=membership.pk).update(language=language)
    membership.language = language
    return membership


def set_own_language(user: User, *, language: str) -> None:
    """The language switch in a page's header, used by a signed-in person: it becomes their saved choice
    everywhere they read the product (each of their staff memberships, and their contact's language, in
    which their messages are written too). Only the person themselves calls this, hence no `actor`."""
    if language not in dict(LOCALES):
        raise ActionError("invalid", _("Choose one of the languages offered."), details={"field": "language"})
    with transaction.atomic():
        Membership.objects.filter(user=user).update(language=language)
        Contact.objects.filter(user=user).update(locale=language)


# ----------------------------------------------------------------------------------------------
# Customers and their contacts

MAX_DOMAINS: Final = 20


class _Keep:
    """The hours argument left out: unchanged (None means back to the seller's hours)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()
Week = Mapping[str, str] | None


def _check_editor(seller_id: int, actor: Actor) -> None:
    """Any active staff member of the seller, or the system."""
    if actor.kind == "system":
        return
    by = actor.membership
    if actor.kind != "staff" or by is None or not by.is_active or by.seller_id != seller_id:
        raise Forbidden("forbidden", _("Only the seller's staff can change its customers and contacts."))


def _field_error(code: str, field: str, message: str) -> ActionError:
    return ActionError(
        code,
        _("%(field)s: %(problem)s") % {"field": field, "problem": message},
        details={"fields": {field: [message]}},
    )


def _log(
    customer: Customer,
    type: str,
    actor: Actor,
    *,
    contact: Contact | None = None,
    data: Mapping[str, Any] | None = None,
) -> CustomerEvent:
    """Append a line to the customer's log. Caller holds the transaction."""
    user = actor.membership.user if actor.membership is not None else None
    if user is None and actor.contact is not None:
        user = actor.contact.user
    return CustomerEvent.objects.create(
        seller_id=customer.seller_id,
        customer=customer,
        contact=contact,
        type=type,
        actor_user=user,
        actor_name=actor.name[:200],
        data=dict(data or {}),
        created_at=timezone.now(),
    )


def _lock_seller(seller_id: int) -> None:
    """Changes to one seller's customers and contacts take turns, so that the checks for a reference,
    domain or email already in use see each other's rows. Caller holds the transaction."""
    Seller.objects.select_for_update().filter(pk=seller_id).values_list("pk", flat=True).first()


def _clean_domains(domains: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(normalize_domain(d) for d in domains if d.strip()))
    if len(cleaned) > MAX_DOMAINS:
        raise _field_error(
            "invalid", "email_domains", _("At most %(count)d domains per customer.") % {"count": MAX_DOMAINS}
        )
    for domain in cleaned:
        try:
            validate_domain(domain)
        except ValidationError as exc:
            raise _field_error(exc.code or "invalid", "email_domains", exc.messages[0]) from None
    return cleaned


def _check_free(customer: Customer, domains: Sequence[str]) -> None:
    """The reference and domains are no other customer's of the seller. Caller holds the seller lock."""
    others = Customer.objects.filter(seller_id=customer.seller_id).exclude(pk=customer.pk)
    if customer.reference:
        holder = others.filter(reference__iexact=customer.reference).first()
        if holder is not None:
            raise _field_error(
                "duplicate",
                "reference",
                _("Account number %(reference)s is already %(customer)s's.")
                % {"reference": customer.reference, "customer": holder.name},
            )
    taken = (
        CustomerDomain.objects.filter(seller_id=customer.seller_id, domain__in=domains)
        .exclude(customer_id=customer.pk)
        .select_related("customer")
        .first()
    )
    if taken is not None:
        raise _field_error(
            "duplicate",
            "email_domains",
            _("%(domain)s is already %(customer)s's domain: a domain names one customer.")
            % {"domain": taken.domain, "customer": taken.customer.name},
        )


def _customer_values(customer: Customer, domains: Sequence[str]) -> dict[str, Any]:
    return {
        "name": customer.name,
        "kind": customer.kind,
        "reference": customer.reference,
        "notes": customer.notes,
        "email_domains": sorted(domains),
    }


def create_customer(
    seller: Seller,
    *,
    name: str,
    kind: str = "",
    reference: str = "",
    notes: str = "",
    email_domains: Iterable[str] = (),
    actor: Actor,
) -> Customer:
    """Add a customer. Refused: a blank name, an account number or email domain another customer of
    the seller has (`duplicate`), a domain that is not one or is a public mail service
    (`public_domain`)."""
    _check_editor(seller.pk, actor)
    customer = Customer(
        seller=seller, name=name.strip(), kind=kind.strip(), reference=reference.strip(), notes=notes.strip()
    )
    _validated(customer)
    domains = _clean_domains(email_domains)
    with transaction.atomic():
        _lock_seller(seller.pk)
        _check_free(customer, domains)
        customer.save()
        CustomerDomain.objects.bulk_create(
            CustomerDomain(seller=seller, customer=customer, domain=domain) for domain in domains
        )
        _log(customer, CustomerEventType.CUSTOMER_CREATED, actor, data=_customer_values(customer, domains))
    return customer


def update_customer(
    customer: Customer,
    *,
    name: str | None = None,
    kind: str | None = None,
    reference: str | None = None,
    notes: str | None = None,
    email_domains: Iterable[str] | None = None,
    actor: Actor,
) -> Customer:
    """Change what is given (None: unchanged); the log keeps each changed value before and after.
    Refused as `create_customer` refuses."""
    _check_editor(customer.seller_id, actor)
    with transaction.atomic():
        _lock_seller(customer.seller_id)
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        old_domains = customer.domain_names
        before = _customer_values(customer, old_domains)
        for field, value in (("name", name), ("kind", kind), ("reference", reference), ("notes", notes)):
            if value is not None:
                setattr(customer, field, value.strip())
        _validated(customer)
        domains = old_domains if email_domains is None else _clean_domains(email_domains)
        _check_free(customer, domains)
        after = _customer_values(customer, domains)
        changes = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
        if not changes:
            return customer
        customer.save()
        if set(domains) != set(old_domains):
            CustomerDomain.objects.filter(customer=customer).exclude(domain__in=domains).delete()
            CustomerDomain.objects.bulk_create(
                CustomerDomain(seller_id=customer.seller_id, customer=customer, domain=domain)
                for domain in domains
                if domain not in old_domains
            )
        _log(customer, CustomerEventType.CUSTOMER_CHANGED, actor, data={"changes": changes})
        if "name" in changes or "reference" in changes:
            index_customer(customer)  # its orders are found by its name and account number
    return customer


def _check_contact(contact: Contact) -> None:
    """The contact's fields as the model and the channel registry allow them; reachable."""
    _validated(contact, exclude=["customer"])
    unknown = sorted(set(contact.preferred_channels) - registry.pickable("contact"))
    if unknown:
        message = _("Unknown channel(s): %(names)s.") % {"names": ", ".join(unknown)}
        raise _field_error("invalid", "preferred_channels", message)
    if contact.messenger_url and "://" not in contact.messenger_url:
        raise _field_error(
            "invalid",
            "messenger_url",
            _("The messenger address must be an Apprise URL such as tgram://token/chat."),
        )
    if contact.messenger_url:
        try:
            outbound.check_apprise_url(contact.messenger_url)
        except outbound.OutboundRefused as refused:
            raise ActionError(refused.code, refused.message, details={"field": "messenger_url"}) from None
    if not contact.email and not contact.phone:
        raise ActionError(
            "unreachable",
            _("A contact needs an email address or a phone number."),
            details={"fields": {"email": [_("A contact needs an email address or a phone number.")]}},
        )


def _check_email_free(contact: Contact, seller_id: int) -> None:
    """No other contact of the seller has this address. Caller holds the seller lock."""
    if not contact.email:
        return
    holder = (
        Contact.objects.filter(customer__seller_id=seller_id, email__iexact=contact.email)
        .exclude(pk=contact.pk)
        .select_related("customer")
        .first()
    )
    if holder is not None:
        raise _field_error(
            "duplicate",
            "email",
            _("%(email)s is already the address of %(name)s (%(customer)s).")
            % {"email": contact.email, "name": holder.name, "customer": holder.customer.name},
        )


def _own_hours(contact: Contact) -> str:
    """The contact's own delivery hours in words; "" when the seller's apply."""
    schedule = DeliverySchedule.objects.filter(contact=contact).values_list("schedule", flat=True).first()
    return windows.describe(schedule) if schedule is not None else ""


_CONTACT_FIELDS = ("name", "email", "phone", "locale", "time_zone", "preferred_channels", "messenger_url")


def _contact_values(contact: Contact) -> dict[str, Any]:
    return {field: getattr(contact, field) for field in _CONTACT_FIELDS} | {"hours": _own_hours(contact)}


def create_contact(
    customer: Customer,
    *,
    name: str,
    email: str = "",
    phone: str = "",
    locale: str = "en",
    time_zone: str = "UTC",
    preferred_channels: Sequence[str] = ("email",),
    messenger_url: str = "",
    hours: Week = None,
    actor: Actor,
) -> Contact:
    """Add a person at the customer. `hours`: their delivery hours as text per weekday
    (`notifications.actions.set_schedule`); None: the seller's. Refused: no email address nor phone
    (`unreachable`), an email address another contact of the seller has (`duplicate`), a field the
    model refuses (`invalid`)."""
    _check_editor(customer.seller_id, actor)
    contact = Contact(
        customer=customer,
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        locale=locale,
        time_zone=time_zone,
        preferred_channels=list(dict.fromkeys(preferred_channels)),
        messenger_url=messenger_url.strip(),
    )
    _check_contact(contact)
    with transaction.atomic():
        _lock_seller(customer.seller_id)
        _check_email_free(contact, customer.seller_id)
        if hours is not None:
            contact.reach_answered_at = timezone.now()  # staff recorded what the contact told them
        contact.save()
        if hours is not None:
            set_schedule(contact, hours, actor=actor)
        _log(customer, CustomerEventType.CONTACT_ADDED, actor, contact=contact, data=_contact_values(contact))
        index_customer(customer)  # the customer's orders are found by their contacts' names and emails
    return contact


def update_contact(
    contact: Contact,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    locale: str | None = None,
    time_zone: str | None = None,
    preferred_channels: Sequence[str] | None = None,
    messenger_url: str | None = None,
    hours: Week | _Keep = KEEP,
    actor: Actor,
) -> Contact:
    """Change what is given (None, and `hours` left out: unchanged; `hours=None`: the seller's hours);
    the customer's log keeps each changed value before and after. Refused as `create_contact` refuses;
    nothing is saved then. A deactivated contact can be corrected too: their history stays theirs."""
    seller_id = contact.customer.seller_id
    _check_editor(seller_id, actor)
    given = {
        "name": None if name is None else name.strip(),
        "email": None if email is None else email.strip().lower(),
        "phone": None if phone is None else phone.strip(),
        "locale": locale,
        "time_zone": time_zone,
        "preferred_channels": None if preferred_channels is None else list(dict.fromkeys(preferred_channels)),
        "messenger_url": None if messenger_url is None else messenger_url.strip(),
    }
    with transaction.atomic():
        _lock_seller(seller_id)
        contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
        before = _contact_values(contact)
        for field, value in given.items():
            if value is not None:
                setattr(contact, field, value)
        _check_contact(contact)
        _check_email_free(contact, seller_id)
        if not isinstance(hours, _Keep):
            set_schedule(contact, hours, actor=actor)
            if hours is not None:
                contact.reach_answered_at = timezone.now()
        after = _contact_values(contact)
        changes = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
        if not changes:
            return contact
        contact.save()
        if "name" in changes or "email" in changes:
            index_customer(contact.customer)
        _log(
            contact.customer,
            CustomerEventType.CONTACT_CHANGED,
            actor,
            contact=contact,
            data={"changes": changes},
        )
    return contact


def record_reach(contact: Contact, *, channels: Sequence[str], hours: Week, actor: Actor) -> Contact:
    """The contact's answer to "how and when should we tell you?" (004_…: asked when they first come):
    their preferred channels and delivery hours (None: the seller's). Asked once; answering again
    changes them. The contact answers for themselves; staff may record an answer given by phone."""
    if actor.kind == "customer":
        if actor.contact is None or actor.contact.pk != contact.pk:
            raise Forbidden("forbidden", _("You can only answer for yourself."))
    else:
        _check_editor(contact.customer.seller_id, actor)
    chosen = list(dict.fromkeys(channels))
    if not chosen:
        raise _field_error("invalid", "preferred_channels", _("Choose at least one way to reach you."))
    with transaction.atomic():
        contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
        before = _contact_values(contact)
        contact.preferred_channels = chosen
        _check_contact(contact)
        set_schedule(contact, hours, actor=actor)
        contact.reach_answered_at = timezone.now()
        contact.save(update_fields=["preferred_channels", "reach_answered_at"])
        after = _contact_values(contact)
        changes = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
        _log(
            contact.customer,
            CustomerEventType.REACH_ANSWERED,
            actor,
            contact=contact,
            data={"changes": changes},
        )
    return contact


def deactivate_contact(contact: Contact, *, actor: Actor) -> Contact:
    """A contact who left their customer: every link they were sent stops working (checked again each
    time one is used), and so do their portal login and any invitation still open. Their orders and
    messages stay. Deactivating a deactivated contact changes nothing."""
    _check_editor(contact.customer.seller_id, actor)
    with transaction.atomic():
        if not Contact.objects.filter(pk=contact.pk, is_active=True).update(is_active=False):
            contact.is_active = False
            return contact
        links.revoke(by_id=actor.membership.pk if actor.membership else None, contact_id=contact.pk)
        Invitation.objects.filter(contact=contact, used_at__isnull=True, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        _log(contact.customer, CustomerEventType.CONTACT_DEACTIVATED, actor, contact=contact)
    contact.is_active = False
    return contact


def reactivate_contact(contact: Contact, *, actor: Actor) -> Contact:
    """Undo a deactivation: their portal login works again. The links withdrawn stay withdrawn (new
    messages carry new ones). Reactivating an active contact changes nothing."""
    _check_editor(contact.customer.seller_id, actor)
    with transaction.atomic():
        if Contact.objects.filter(pk=contact.pk, is_active=False).update(is_active=True):
            _log(contact.customer, CustomerEventType.CONTACT_REACTIVATED, actor, contact=contact)
    contact.is_active = True
    return contact
