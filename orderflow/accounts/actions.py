"""Creating sellers, their staff, customers and contacts; invitations to choose a password, password
resets and login lockouts. Inputs are validated by the models' rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

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
from orderflow.accounts.models import LOCALES, Contact, Customer, Invitation, Membership, Role, Seller
from orderflow.core import outbound
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.notifications import links, outbox
from orderflow.notifications.channels import registry
from orderflow.notifications.models import Notification


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
            _("preferred_channels: %(message)s") % {"message": message},
            details={"fields": {"preferred_channels": [message]}},
        )
    if contact.messenger_url and "://" not in contact.messenger_url:
        raise ActionError(
            "invalid", _("The messenger address must be an Apprise URL such as tgram://token/chat.")
        )
    if contact.messenger_url:
        try:
            outbound.check_apprise_url(contact.messenger_url)
        except outbound.OutboundRefused as refused:
            raise ActionError(refused.code, refused.message, details={"field": "messenger_url"}) from None
    if not contact.email and not contact.phone:
        raise ActionError("invalid", _("A contact needs an email address or a phone number."))
    contact.save()
    return contact


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
