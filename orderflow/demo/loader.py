"""Play the demo description (`orderflow.demo.data`) through the real actions.

Everything is created by the same actions the pages and the API call, so the demo shows what the
product really does. Each seller is created in one transaction and skipped when its slug exists,
which makes loading idempotent.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from orderflow.accounts.actions import (
    add_contact,
    add_customer,
    add_staff,
    create_portal_login,
    create_seller,
)
from orderflow.accounts.models import Contact, Customer, Membership, Role, Seller
from orderflow.catalog.actions import create_item, update_item
from orderflow.catalog.models import Item, ItemKind
from orderflow.conversations.actions import customer_may_write, post_message
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.demo.data import ADMIN_EMAIL, ADMIN_USERNAME, PASSWORD, SELLERS
from orderflow.demo.spec import PEOPLE_COLUMNS, OrderSpec, SellerSpec, Step
from orderflow.leads.actions import add_recipient, save_people
from orderflow.leads.models import Person
from orderflow.notifications import replies
from orderflow.notifications.actions import set_schedule, update_rule
from orderflow.notifications.emit import muted
from orderflow.notifications.models import Event, Notification, NotificationRule
from orderflow.notifications.windows import WEEKDAYS
from orderflow.orders.actions import (
    add_carrier,
    archive_order,
    assign_order,
    cancel_order,
    edit_internal_notes,
    mark_seen,
    place_order,
    record_shipment,
    refund_order,
    set_estimated_completion,
    transition_order,
    update_line,
)
from orderflow.orders.models import CARRIER_PRESETS, Carrier, Order, OrderEvent, OrderLine, Refund, Shipment
from orderflow.workflows.actions import install_order_type
from orderflow.workflows.models import OrderType


class DemoError(Exception):
    """The demo description asks for something the actions refuse, or names someone unknown."""


@dataclass
class SellerReport:
    spec: SellerSpec
    created: bool
    states: Counter[str] = field(default_factory=Counter)

    @property
    def orders(self) -> int:
        return sum(self.states.values())


def load_demo(
    *, now: dt.datetime | None = None, sellers: tuple[SellerSpec, ...] = SELLERS
) -> list[SellerReport]:
    """Create every demo seller whose slug is not taken yet, and the admin superuser if missing.

    `now` anchors the timeline: the demo's orders happened in the days before it.
    """
    anchor = now or timezone.now()
    reports = []
    for spec in sellers:
        created = not Seller.objects.filter(slug=spec.slug).exists()
        if created:
            # History is not news: a month of past orders must not message anyone now.
            with transaction.atomic(), muted():
                _Seeder(spec, anchor).play()
        counts = Order.objects.filter(seller__slug=spec.slug).values("state").annotate(n=Count("pk"))
        states = Counter({row["state"]: row["n"] for row in counts})
        reports.append(SellerReport(spec, created=created, states=states))
        if created and spec is sellers[0]:
            _open_conversation(spec)
    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        User.objects.create_superuser(ADMIN_USERNAME, ADMIN_EMAIL, PASSWORD)
    return reports


# The reply address of the demo's first message email is made from this nonce, so that the committed
# orderflow/demo/reply.eml answers it (with the demo's development SECRET_KEY; see the README).
DEMO_REPLY_NONCE = "0rderf10wdem0rep1y0000000000000"


def _open_conversation(spec: SellerSpec) -> None:
    """A message from staff to a customer, told now (not muted): its email, with its reply address,
    is what the README's `receive_email` example answers."""
    candidates = Order.objects.filter(seller__slug=spec.slug, placed_by__email__gt="").order_by("number")
    order = next((o for o in candidates.select_related("placed_by") if customer_may_write(o)), None)
    if order is None or order.placed_by is None:
        return
    staff = Membership.objects.filter(seller=order.seller).order_by("pk").first()
    if staff is None:
        return
    post_message(
        order,
        body="We can deliver on Thursday morning instead of Wednesday. Does that suit you?",
        actor=Actor.staff(staff),
    )
    for notification in Notification.objects.filter(
        order=order, contact=order.placed_by, template="new_message"
    ):
        replies.grant_for(notification, nonce=DEMO_REPLY_NONCE)


class _Seeder:
    """Creates one seller, its people and its order type, then acts out each order script."""

    def __init__(self, spec: SellerSpec, anchor: dt.datetime) -> None:
        self.spec = spec
        self.anchor = anchor
        self.members: dict[str, Membership] = {}
        self.customers: dict[str, Customer] = {}
        self.contacts: dict[tuple[str, str], Contact] = {}
        self.zone = zoneinfo.ZoneInfo(spec.time_zone)

    def play(self) -> None:
        try:
            order_type = self._set_up()
        except ActionError as exc:
            raise DemoError(f"{self.spec.slug}: {exc.message}") from exc
        # Oldest first, so that order numbers follow the order in which orders were placed.
        for script in sorted(self.spec.orders, key=lambda o: -o.days_ago):
            self._play_order(script, order_type)
        _link_lines_to_catalog(order_type.seller)

    def _set_up(self) -> OrderType:
        spec = self.spec
        seller = create_seller(
            name=spec.name,
            slug=spec.slug,
            time_zone=spec.time_zone,
            locale=spec.locale,
            currency=spec.currency,
        )
        for person in spec.staff:
            self.members[person.handle] = add_staff(
                seller,
                username=spec.username(person.handle),
                password=PASSWORD,
                first_name=person.first_name,
                last_name=person.last_name,
                email=f"{slugify(person.first_name)}.{slugify(person.last_name)}@{spec.slug}.example",
                role=person.role,
                phone=person.phone,
            )
        for customer_spec in spec.customers:
            customer = add_customer(
                seller,
                name=customer_spec.name,
                kind=customer_spec.kind,
                email_domain=customer_spec.email_domain,
                reference=customer_spec.reference,
            )
            self.customers[customer_spec.key] = customer
            for c in customer_spec.contacts:
                self.contacts[customer_spec.key, c.key] = add_contact(
                    customer,
                    name=c.name,
                    email=c.email,
                    phone=c.phone,
                    locale=c.locale,
                    time_zone=c.time_zone,
                    preferred_channels=c.channels,
                    # A fictional chat address: the demo's sandbox keeps what would be sent to it.
                    messenger_url=f"tgram://demo-bot-token/{c.key}" if "messenger" in c.channels else "",
                )
                contact = self.contacts[customer_spec.key, c.key]
                if c.portal_login:
                    create_portal_login(contact, password=PASSWORD, actor=Actor.system())
                if c.hours:
                    set_schedule(contact, dict.fromkeys(WEEKDAYS, c.hours), actor=Actor.system())
        owner = next(m for m in self.members.values() if m.role == Role.OWNER)
        order_type = install_order_type(
            seller,
            preset=spec.preset,
            actor=Actor.staff(owner),
            name=spec.order_type_name,
            options=spec.options or None,
        )
        presets = dict(CARRIER_PRESETS)
        for name in spec.carriers:
            add_carrier(seller, name=name, url_pattern=presets[name], actor=Actor.staff(owner))
        for state, extras in spec.rule_extras.items():
            rules = NotificationRule.objects.filter(
                order_type=order_type, event=Event.STATUS_CHANGED, state=state
            )
            for rule in rules:
                update_rule(rule, actor=Actor.staff(owner), **extras)
        self._load_catalog(seller, order_type, Actor.staff(owner))
        return order_type

    def _load_catalog(self, seller: Seller, order_type: OrderType, actor: Actor) -> None:
        """The seller's catalogue, then each item's suggested backup (which may come later in it)."""
        items: dict[str, Item] = {}
        for product in self.spec.catalog:
            items[product.sku] = create_item(
                seller,
                actor=actor,
                sku=product.sku,
                name=product.name,
                description=product.description,
                kind=product.kind,
                unit=product.unit,
                unit_price=None if product.kind == ItemKind.QUOTE else product.price,
                tax_rate=product.tax_rate,
                availability=product.availability,
                order_type=order_type,
            )
        for product in self.spec.catalog:
            if product.backup_sku:
                update_item(
                    items[product.sku], actor=actor, changes={"backup_item": items[product.backup_sku]}
                )

    def _play_order(self, script: OrderSpec, order_type: OrderType) -> None:
        contact = self.contacts.get((script.customer, script.contact))
        if contact is None:
            raise DemoError(f"{self.spec.slug}: unknown contact {script.customer}/{script.contact}")
        at = self.anchor - dt.timedelta(days=script.days_ago)
        where = f"{self.spec.slug} order {script.title!r}"
        assignee = ""
        try:
            started = timezone.now()
            order = place_order(
                self.customers[script.customer],
                order_type=order_type,
                actor=self._actor(script.placed_by, contact),
                lines=script.lines,
                title=script.title,
                contact=contact,
                customer_notes=script.notes,
                state=script.start or None,
            )
            _backdate(order.pk, since=started, to=at)
            for step in script.steps:
                at += dt.timedelta(hours=step.after)
                if at > self.anchor:
                    raise DemoError(f"{where}: step {step.do!r} would happen in the future")
                actor = self._actor(step.by or assignee or self.spec.lead, contact)
                started = timezone.now()
                self._apply(step, Order.objects.get(pk=order.pk), actor, at)
                _backdate(order.pk, since=started, to=at)
                if step.do == "assign":
                    assignee = step.to
        except ActionError as exc:
            raise DemoError(f"{where}: {exc.message}") from exc

    def _apply(self, step: Step, order: Order, actor: Actor, at: dt.datetime) -> None:
        if step.do == "open":
            mark_seen(order, actor=actor)
        elif step.do == "move":
            transition_order(order, to=step.to, actor=actor, note=step.text)
        elif step.do == "assign":
            assign_order(order, assignee=self._member(step.to), actor=actor)
        elif step.do == "estimate":
            date = (at + dt.timedelta(days=step.days)).astimezone(self.zone).date()
            set_estimated_completion(order, date=date, actor=actor)
        elif step.do == "notes":
            # The action replaces the notes; the demo's scripts add to them, as staff would.
            text = f"{order.internal_notes}\n\n{step.text}".strip()
            edit_internal_notes(order, notes=text, actor=actor)
        elif step.do == "line":
            line = order.lines.get(position=step.line)
            update_line(line, status=step.to, substitute=step.text, actor=actor)
        elif step.do == "cancel":
            cancel_order(order, actor=actor, reason=step.text, refund_amount=step.amount or None)
        elif step.do == "refund":
            refund_order(order, amount=step.amount, reason=step.text, actor=actor)
        elif step.do == "archive":
            archive_order(order, actor=actor)
        elif step.do == "ship":
            carrier = Carrier.objects.get(seller_id=order.seller_id, name=step.to)
            expected = (at + dt.timedelta(days=step.days)).astimezone(self.zone).date() if step.days else None
            shipment = record_shipment(
                order, carrier=carrier, tracking_number=step.text, estimated_delivery=expected, actor=actor
            )
            Shipment.objects.filter(pk=shipment.pk).update(shipped_at=at)
        elif step.do == "people":
            rows = [dict(zip(PEOPLE_COLUMNS, row.split("|"), strict=False)) for row in step.text.splitlines()]
            result = save_people(actor, order, step.to, rows, source="demo")
            if result.failed:
                raise DemoError(f"{self.spec.slug}: people refused {result.failed}")
            Person.objects.filter(pk__in=result.ids).update(created_at=at, updated_at=at)
        elif step.do == "recipient":
            add_recipient(actor, order, email=step.text)
        else:  # pragma: no cover - Step refuses unknown kinds
            raise DemoError(f"unknown step {step.do!r}")

    def _actor(self, who: str, contact: Contact) -> Actor:
        if who == "customer":
            return Actor.customer(contact)
        if who == "system":
            return Actor.system()
        return Actor.staff(self._member(who))

    def _member(self, handle: str) -> Membership:
        try:
            return self.members[handle]
        except KeyError:
            raise DemoError(f"{self.spec.slug}: no staff member {handle!r}") from None


def _link_lines_to_catalog(seller: Seller) -> None:
    """Point the demo's order lines at the catalogue items of the same SKU, and at the item's backup
    where the line's backup is that item. (The scripts place free lines, as customers did before the
    catalogue; the link is demo history, written as the loader writes its backdating.)"""
    for item in Item.objects.filter(seller=seller).select_related("backup_item"):
        lines = OrderLine.objects.filter(order__seller=seller, sku=item.sku)
        lines.filter(item__isnull=True).update(item=item)
        if item.backup_item is not None:
            backups = lines.filter(backup_description=item.backup_item.name, backup_item__isnull=True)
            backups.update(backup_item=item.backup_item)


def _backdate(order_id: int, *, since: dt.datetime, to: dt.datetime) -> None:
    """DEMO-ONLY SEEDING, never product behaviour: move what one action just stamped back in time.

    Actions stamp "now"; to make the demo look lived-in, every timestamp of the order written at or
    after `since` (the moment the step started) is shifted so the step appears to have happened at
    `to`. Steps are replayed in order and each lands hours after the one before, so the events keep
    their order. The activity log is append-only and its queryset refuses update(), hence the raw
    UPDATE of OrderEvent here: seeding a fresh demo is the one place allowed to rewrite its dates.
    """
    shift = to - since
    order = Order.objects.get(pk=order_id)
    stamps = {
        name: value + shift
        for name in ("submitted_at", "last_activity_at", "seen_at", "closed_at")
        if (value := getattr(order, name)) is not None and value >= since
    }
    if stamps:
        Order.objects.filter(pk=order_id).update(**stamps)
    for refund in Refund.objects.filter(order_id=order_id, created_at__gte=since):
        Refund.objects.filter(pk=refund.pk).update(created_at=refund.created_at + shift)
    events = OrderEvent.objects.filter(order_id=order_id, created_at__gte=since)
    rows = [
        (connection.ops.adapt_datetimefield_value(created_at + shift), pk)
        for pk, created_at in events.values_list("pk", "created_at")
    ]
    if rows:
        quote = connection.ops.quote_name
        table = quote(OrderEvent._meta.db_table)
        field = OrderEvent._meta.get_field("created_at")
        assert field.column is not None
        column = quote(field.column)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {quote('id')} = %s", rows)
