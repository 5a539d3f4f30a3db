"""Who a rule's audience is for one order, and how each of them wants to be told."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from orderflow.accounts.models import Contact, Membership
from orderflow.leads.models import Recipient as PeopleRecipient
from orderflow.notifications.models import (
    MANDATORY,
    Audience,
    Category,
    Channel,
    DeliverySchedule,
    Preference,
)
from orderflow.orders.models import Order, OrderEvent


@dataclass(frozen=True)
class Recipient:
    key: str
    name: str
    why: str
    contact: Contact | None = None
    membership: Membership | None = None
    email: str = ""
    locale: str = "en"
    time_zone: str = "UTC"
    # Their own delivery hours, read with them (None: they have none).
    hours: dict | None = field(default=None, compare=False)

    def is_actor_of(self, event: OrderEvent) -> bool:
        if self.contact is not None:
            return event.actor_contact_id == self.contact.pk
        if self.membership is not None:
            return event.actor_user_id == self.membership.user_id
        return False


@dataclass(frozen=True)
class Choice:
    enabled: bool
    channels: list[str] = field(default_factory=list)
    why: str = ""


def _contact(contact: Contact, why: str) -> Recipient:
    return Recipient(
        key=f"contact:{contact.pk}",
        name=contact.name,
        why=why,
        contact=contact,
        email=contact.email,
        locale=contact.locale,
        time_zone=contact.time_zone,
        hours=_own_hours(contact),
    )


def _staff(membership: Membership, why: str) -> Recipient:
    seller = membership.seller
    return Recipient(
        key=f"staff:{membership.pk}",
        name=membership.display_name,
        why=why,
        membership=membership,
        email=membership.user.email,
        locale=membership.reading_language,
        time_zone=seller.time_zone,
        hours=_own_hours(membership),
    )


def as_recipient(person: Contact | Membership) -> Recipient:
    """The person as emit sees them, outside any order (their settings pages, the API)."""
    return _contact(person, "") if isinstance(person, Contact) else _staff(person, "")


def choices_for(person: Recipient) -> list[tuple[Category, Choice, Preference | None]]:
    """Per category: what emit would decide for this person now, and their own preference (one query)."""
    prefs = preferences_of([person], Category.values)
    rows = []
    for category in Category:
        pref = prefs.get((person.key, category.value))
        rows.append((category, decide(person, category.value, pref), pref))
    return rows


def _own_hours(person: Contact | Membership) -> dict | None:
    """Their DeliverySchedule, selected with them (select_related("schedule")) by recipients()."""
    try:
        return person.schedule.schedule
    except DeliverySchedule.DoesNotExist:
        return None


def recipients(audience: str, order: Order) -> tuple[list[Recipient], str]:
    """The people an audience means for this order, and a note when it means nobody. Each is read here,
    with their own delivery hours, whatever the order has cached."""
    contacts = Contact.objects.select_related("schedule").order_by("pk")
    if audience == Audience.CONTACT:
        placed_by = contacts.filter(pk=order.placed_by_id).first() if order.placed_by_id else None
        contact = placed_by or contacts.filter(customer=order.customer_id).first()
        if contact is None:
            return [], _("%(customer)s has no contact to tell.") % {"customer": order.customer.name}
        why = (
            _("placed the order")
            if order.placed_by_id == contact.pk
            else _("first contact of %(customer)s") % {"customer": order.customer.name}
        )
        return [_contact(contact, why)], ""
    if audience == Audience.CUSTOMER:
        everyone = list(contacts.filter(customer=order.customer_id))
        return [
            _contact(c, _("a contact of %(customer)s") % {"customer": order.customer.name}) for c in everyone
        ], ("" if everyone else _("%(customer)s has no contacts.") % {"customer": order.customer.name})
    if audience == Audience.ASSIGNEE:
        assignee = (
            Membership.objects.select_related("user", "seller", "schedule")
            .filter(pk=order.assignee_id)
            .first()
            if order.assignee_id is not None
            else None
        )
        if assignee is None or not assignee.is_active:
            return [], _("The order is not assigned to anyone.")
        return [_staff(assignee, _("assigned to the order"))], ""
    if audience == Audience.STAFF:
        staff = list(
            order.seller.memberships.filter(is_active=True)
            .select_related("user", "seller", "schedule")
            .order_by("pk")
        )
        return [_staff(m, _("staff of %(seller)s") % {"seller": order.seller.name}) for m in staff], ""
    if audience == Audience.WATCHERS:
        watchers = list(order.watchers.order_by("pk"))
        seller = order.seller
        return [
            Recipient(
                key=f"email:{w.email}",
                name=w.email,
                why=_("added to the order's notifications"),
                email=w.email,
                locale=seller.locale,
                time_zone=seller.time_zone,
            )
            for w in watchers
        ], ("" if watchers else _("No extra addresses are set on this order."))
    if audience == Audience.PEOPLE_RECIPIENTS:
        return _people_recipients(order)
    raise ValueError(f"unknown audience {audience!r}")


def _people_recipients(order: Order) -> tuple[list[Recipient], str]:
    """The extra people staff chose to tell when participants or leads are added to the order."""
    chosen = list(
        PeopleRecipient.objects.filter(order_id=order.pk)
        .select_related("membership__user", "membership__seller", "membership__schedule")
        .order_by("pk")
    )
    seller = order.seller
    why = _("told when participants or leads are added")
    people: list[Recipient] = []
    for chosen_one in chosen:
        member = chosen_one.membership
        if member is not None:
            if member.is_active:
                people.append(_staff(member, why))
            continue
        people.append(
            Recipient(
                key=f"email:{chosen_one.email}",
                name=chosen_one.email,
                why=why,
                email=chosen_one.email,
                locale=seller.locale,
                time_zone=seller.time_zone,
            )
        )
    return people, ("" if people else _("Nobody is told about this order's participants and leads."))


def _default_channels(recipient: Recipient, category: str) -> tuple[list[str], str]:
    if recipient.contact is not None:
        preferred = list(recipient.contact.preferred_channels)
        if preferred:
            return preferred, _("%(name)s's preferred channels") % {"name": recipient.name}
        return [Channel.EMAIL if recipient.contact.email else Channel.SMS], _("the default channel")
    if recipient.membership is not None:
        channels: list[str] = [Channel.EMAIL, Channel.IN_APP]
        if recipient.membership.phone and category in (Category.NEW_ORDERS, Category.MESSAGES):
            channels.insert(1, Channel.SMS)
        return channels, _("the default for staff")
    return [Channel.EMAIL], _("an extra address gets email")


def choice(recipient: Recipient, category: str) -> Choice:
    """On or off, and which channels, for this person and category; mandatory categories stay on."""
    pref: Preference | None = None
    if recipient.contact is not None:
        pref = Preference.objects.filter(contact=recipient.contact, category=category).first()
    elif recipient.membership is not None:
        pref = Preference.objects.filter(membership=recipient.membership, category=category).first()
    return decide(recipient, category, pref)


def decide(recipient: Recipient, category: str, pref: Preference | None) -> Choice:
    """`choice` with the person's preference for the category already read (None: they have none)."""
    label = Category(category).label
    defaults, source = _default_channels(recipient, category)
    channels, why = defaults, source
    if pref is not None and pref.channels:
        channels, why = (
            list(pref.channels),
            _("%(name)s's choice for %(category)s") % {"name": recipient.name, "category": label},
        )
    if pref is not None and not pref.enabled:
        if category in MANDATORY:
            return Choice(
                True,
                channels,
                _("%(why)s; %(category)s cannot be turned off") % {"why": why, "category": label},
            )
        return Choice(
            False,
            channels,
            _("%(name)s turned off %(category)s") % {"name": recipient.name, "category": label},
        )
    return Choice(True, channels, why)


def preferences_of(
    people: Iterable[Recipient], categories: Iterable[str]
) -> dict[tuple[str, str], Preference]:
    """The preferences these people set for these categories, by (Recipient.key, category): one query."""
    owners = _owners(people)
    if owners is None:
        return {}
    found = Preference.objects.filter(owners, category__in=set(categories))
    # A preference has exactly one owner (a check constraint): keys as _contact and _staff make them.
    return {
        (f"contact:{p.contact_id}" if p.contact_id is not None else f"staff:{p.membership_id}", p.category): p
        for p in found
    }


def _owners(people: Iterable[Recipient]) -> Q | None:
    """Who to look up: contacts by contact, staff by membership (as choice() does one by one)."""
    people = list(people)
    contacts = {p.contact.pk for p in people if p.contact is not None}
    memberships = {p.membership.pk for p in people if p.contact is None and p.membership is not None}
    if not contacts and not memberships:
        return None
    return Q(contact__in=contacts) | Q(membership__in=memberships)


def schedule_for(recipient: Recipient, seller_default: Callable[[], dict]) -> tuple[dict | None, str]:
    """The delivery hours that apply: the person's own, else the seller's for customers (read only
    then); staff any time."""
    if recipient.hours is not None:
        return recipient.hours, _("%(name)s's delivery hours") % {"name": recipient.name}
    if recipient.membership is not None:
        return None, _("staff have no delivery hours")
    return seller_default(), _("the seller's delivery hours")
