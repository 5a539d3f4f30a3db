"""Rules, preferences and schedules; the outbox (Notification, Delivery, DeliveryAttempt); and what
channels leave behind inside the product (in-app inbox items, call tasks, sandbox copies, feedback)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Contact, Membership, Seller
from orderflow.notifications import windows
from orderflow.orders.models import Order, OrderEvent
from orderflow.workflows.models import OrderType


class Event(models.TextChoices):
    PLACED = "placed", _("Order placed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Order assigned")
    CANCELLED = "cancelled", _("Order cancelled")
    REFUNDED = "refunded", _("Refund issued")
    MESSAGE = "message", _("Message posted")
    FEEDBACK_DUE = "feedback_due", _("Feedback due after completion")
    ESTIMATE_CHANGED = "estimate_changed", _("Estimated completion changed")
    SHIPPED = "shipped", _("Order shipped")
    LINES_CHANGED = "lines_changed", _("Order lines changed")
    PEOPLE_ADDED = "people_added", _("Participants or leads added")


class Audience(models.TextChoices):
    CONTACT = "contact", _("The contact who placed the order")
    CUSTOMER = "customer", _("Every contact of the customer")
    ASSIGNEE = "assignee", _("The assigned staff member")
    STAFF = "staff", _("All staff (unless they turned the category off)")
    WATCHERS = "watchers", _("Extra email addresses on the order")
    PEOPLE_RECIPIENTS = "people", _("People told about the order's participants and leads")


class Category(models.TextChoices):
    NEW_ORDERS = "new_orders", _("New orders")
    ORDER_UPDATES = "order_updates", _("Order status updates")
    MESSAGES = "messages", _("Messages about orders")
    ASSIGNMENTS = "assignments", _("Orders assigned to me")
    TRANSACTIONAL = "transactional", _("Cancellations and refunds")
    FEEDBACK = "feedback", _("Requests for feedback")
    MARKETING = "marketing", _("Offers and recommendations")
    PEOPLE = "people", _("Participants and leads added")


# What only staff are told about: a customer's settings do not offer these.
STAFF_ONLY = frozenset({Category.NEW_ORDERS, Category.ASSIGNMENTS, Category.PEOPLE})
CUSTOMER_CATEGORIES = tuple(c for c in Category if c not in STAFF_ONLY)

# Messages that must reach people: their category cannot be turned off.
MANDATORY = frozenset({Category.TRANSACTIONAL})


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    MESSENGER = "messenger", _("Messenger")
    IN_APP = "in_app", _("In-app")
    CALL = "call", _("Call task for staff")
    WEBHOOK = "webhook", _("Webhook")


class Action(models.TextChoices):
    NONE = "", _("Information only")
    CHOOSE_DELIVERY_TIME = "choose_delivery_time", _("Choose a delivery time")
    RATE = "rate", _("Rate the service")
    REPLY = "reply", _("Reply")


class NotificationSettings(models.Model):
    """A seller's defaults: delivery hours, senders, the feedback delay."""

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="notification_settings")
    default_window = models.JSONField(default=windows.default_schedule, validators=[windows.validator])
    email_from = models.EmailField(
        blank=True,
        help_text="From address, on one of the seller's verified sender domains; the site default when empty",
    )
    reply_to = models.EmailField(
        _("reply-to address"), blank=True, help_text=_("Where customers' replies to emails go; any address")
    )
    sms_sender = models.CharField(max_length=20, blank=True, help_text="The one number every SMS comes from")
    sms_url = models.CharField(
        max_length=500,
        blank=True,
        help_text="Apprise URL for SMS with {to} for the number, e.g. a Twilio URL",
    )
    feedback_delay_minutes = models.PositiveIntegerField(default=24 * 60)
    delivery_change_cutoff_hours = models.PositiveIntegerField(
        default=24,
        validators=[MaxValueValidator(24 * 14)],
        help_text=_("A delivery time can be chosen or changed until this many hours before it starts"),
    )

    def __str__(self) -> str:
        return f"Notification settings of {self.seller}"


class NotificationRule(models.Model):
    """When `event` happens (into `state`, for status changes), tell `audience` with `template`."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="notification_rules")
    order_type = models.ForeignKey(
        OrderType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_rules",
        help_text="Empty: every order type of the seller",
    )
    event = models.CharField(max_length=20, choices=Event.choices)
    state = models.CharField(max_length=40, blank=True, help_text="For status changes: the state entered")
    audience = models.CharField(max_length=12, choices=Audience.choices)
    template = models.CharField(max_length=60)
    category = models.CharField(max_length=20, choices=Category.choices)
    urgent = models.BooleanField(default=False, help_text="Deliver at once, ignoring delivery hours")
    action = models.CharField(max_length=24, choices=Action.choices, blank=True)
    custom_message = models.TextField(blank=True, help_text="Added to the message, e.g. where to pick up")
    upsell = models.TextField(blank=True, help_text="An offer added for recipients who accept offers")
    is_active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["seller", "event"])]

    def __str__(self) -> str:
        where = f" into {self.state}" if self.state else ""
        return f"{self.get_event_display()}{where} -> {self.get_audience_display()}"


class MessageTemplate(models.Model):
    """A seller's own wording of one message in one language; validated by the action that saves it."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="message_templates")
    key = models.CharField(max_length=60)
    locale = models.CharField(max_length=8)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    sms = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "key", "locale"], name="one_template_per_key_locale")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.locale})"


class Preference(models.Model):
    """One person's choice for one category: on or off, and on which channels."""

    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    enabled = models.BooleanField(default=True)
    channels = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "category"], name="one_preference_per_contact_category"
            ),
            models.UniqueConstraint(
                fields=["membership", "category"], name="one_preference_per_staff_category"
            ),
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False) ^ models.Q(membership__isnull=False),
                name="preference_has_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {'on' if self.enabled else 'off'} {self.channels}"


class DeliverySchedule(models.Model):
    """A person's own delivery hours; without one, contacts get the seller's and staff any time."""

    contact = models.OneToOneField(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="schedule"
    )
    membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="schedule"
    )
    schedule = models.JSONField(validators=[windows.validator])

    def __str__(self) -> str:
        return windows.describe(self.schedule)


class Watcher(models.Model):
    """An extra email address told about an order (the provider's "edit notifications")."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="watchers")
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "email"], name="one_watcher_per_email")]

    def __str__(self) -> str:
        return self.email


class Notification(models.Model):
    """One event told to one recipient. `reason` says why they were chosen (or why they were not)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, null=True, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(OrderEvent, null=True, on_delete=models.CASCADE, related_name="notifications")
    rule = models.ForeignKey(NotificationRule, null=True, on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="+")
    membership = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField(blank=True, help_text="For watchers, who have no account")
    webhook = models.ForeignKey(
        "integrations.WebhookEndpoint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    payload = models.JSONField(
        null=True, blank=True, help_text="For webhooks: the event as sent, fixed when it happened"
    )
    recipient_name = models.CharField(max_length=200)
    locale = models.CharField(max_length=8, default="en")
    time_zone = models.CharField(max_length=64, default="UTC")
    category = models.CharField(max_length=20, choices=Category.choices)
    template = models.CharField(max_length=60)
    idempotency_key = models.CharField(max_length=120, unique=True)
    skipped = models.BooleanField(default=False, help_text="Considered but not told; see reason")
    reason = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.template} to {self.recipient_name}"


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPERSEDED = "superseded", _("Superseded")
    SUPPRESSED = "suppressed", _("Suppressed")


class Delivery(models.Model):
    """One notification on one channel: what the worker claims, sends and retries."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    address = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=80, blank=True)
    send_started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the worker holding the lease began sending it: only then does a lease that "
        "runs out count as an interrupted attempt",
    )
    coalesce_key = models.CharField(max_length=120, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(help_text="Why this channel, and why held or suppressed")
    error = models.TextField(blank=True, help_text="The last failure, readable")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["coalesce_key", "status"]),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.status}"

    @property
    def message_id(self) -> str:
        return f"<delivery-{self.pk}@{settings.MESSAGE_ID_DOMAIN}>"


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Failed, will retry")
        FAILED = "failed", _("Failed for good")
        INTERRUPTED = "interrupted", _("Worker stopped mid-send")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.outcome} at {self.started_at}"


class InboxItem(models.Model):
    """An in-app notification for a staff member or a contact with a portal login."""

    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="inbox"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="inbox"
    )
    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="inbox_item")
    order = models.ForeignKey(Order, null=True, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class CallTask(models.Model):
    """A customer who prefers a phone call: a task for a staff member, with the script to read."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="call_tasks")
    order = models.ForeignKey(Order, null=True, on_delete=models.CASCADE, related_name="call_tasks")
    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="call_task")
    contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="+")
    phone = models.CharField(max_length=20, blank=True)
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    script = models.TextField()
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Call {self.contact} about {self.order}"


class SandboxMessage(models.Model):
    """What would have been sent, kept for people to read in the app (the demo sends nothing out)."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="sandbox_copy")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    to = models.CharField(max_length=500)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to}"


class Feedback(models.Model):
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="feedback")
    contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="+")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.rating}/5 on {self.order}"


class LinkPurpose(models.TextChoices):
    TRACK = "track", _("Follow the order and write to the seller")
    PREFS = "prefs", _("Notification settings")
    RATE = "rate", _("Rate the service")
    DELIVERY = "delivery", _("Choose a delivery time")
    UNSUBSCRIBE = "unsubscribe", _("Stop offers")


class LinkGrant(models.Model):
    """What a link in a message lets one contact do without logging in: one purpose, on one order (or
    on their own settings), until it expires or staff revoke it. The token is never stored: its SHA-256
    finds the grant; `nonce` (with the secret key) writes the same token again when a message is
    rendered again (see `links`). Grants of links signed before grants existed have no nonce."""

    purpose = models.CharField(max_length=12, choices=LinkPurpose.choices)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The link whose page offered this one",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "purpose"],
                condition=models.Q(notification__isnull=False),
                name="one_link_per_notification_purpose",
            ),
            models.UniqueConstraint(
                fields=["source", "purpose"],
                condition=models.Q(source__isnull=False),
                name="one_link_per_source_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} link of {self.contact_id} on order {self.order_id}"


class LinkRevocation(models.Model):
    """Staff revoked the links of an order or of a contact: kept to say who did it and when, and to
    refuse links signed before grants existed (they have no grant to mark until first used)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked = models.PositiveIntegerField(default=0, help_text="How many links it revoked")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Links revoked at {self.created_at}"


class ReplyGrant(models.Model):
    """The reply address of one message email: replying to reply+<token>@INBOUND_EMAIL_DOMAIN posts to
    the order's thread as the contact or staff member it was sent to. Like a link (`LinkGrant`) it is a
    capability: the token is never stored (its SHA-256 finds the grant; `nonce` writes it again when the
    message is rendered again), it expires, and it is revoked with the order's or the contact's links."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="reply_grant"
    )
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False, membership__isnull=True)
                | models.Q(contact__isnull=True, membership__isnull=False),
                name="reply_grant_names_one_person",
            )
        ]

    def __str__(self) -> str:
        return f"reply address on order {self.order_id}"
