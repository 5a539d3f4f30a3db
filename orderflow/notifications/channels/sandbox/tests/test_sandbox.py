"""The sandbox keeps what email, SMS and messenger would have sent, and sends nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from orderflow.accounts.actions import add_contact
from orderflow.core.actors import Actor
from orderflow.notifications.actions import update_settings
from orderflow.notifications.channels import registry
from orderflow.notifications.models import Channel, Delivery, SandboxMessage, Status
from orderflow.notifications.worker import Worker
from orderflow.orders.actions import transition_order

PARIS = ZoneInfo("Europe/Paris")


def test_the_sandbox_is_no_channel_of_its_own():
    spec = registry.get("sandbox")
    assert spec is not None
    assert spec.stands_in
    assert "sandbox" not in registry.channel_keys()


@time_machine.travel(dt.datetime(2026, 6, 10, 16, 0, tzinfo=PARIS), tick=False)  # 10:00 in New York
def test_the_sandbox_keeps_email_sms_and_messenger_and_sends_nothing(
    use_smtp_sink, use_http_sink, settings, make_order, acme, olivia, alice, bruno, corner_bar
):
    # Given the sandbox is on, and every real channel would reach a local sink
    settings.NOTIFICATIONS_SANDBOX = True
    chloe = add_contact(
        corner_bar,
        name="Chloé Roux",
        email="chloe@cornerbar.example",
        time_zone="Europe/Paris",
        preferred_channels=["messenger"],
        messenger_url=use_http_sink.url("chat/chloe"),
    )
    update_settings(acme, sms_url=use_http_sink.url("sms/{to}"), actor=Actor.staff(olivia))
    for contact in (alice, bruno, chloe):
        order = make_order("shop", contact=contact)
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))

    Worker().run_once()

    # Then nothing left the building, and each message is kept for reading in the app
    assert use_smtp_sink.count() == 0
    assert use_http_sink.posts == []
    kept = {m.channel: m for m in SandboxMessage.objects.all()}
    assert set(kept) == {Channel.EMAIL, Channel.SMS, Channel.MESSENGER}
    email = kept[Channel.EMAIL]
    to_alice = Delivery.objects.get(
        notification__contact=alice, notification__template="status_changed", channel=Channel.EMAIL
    )
    assert (email.to, email.headers["Message-ID"]) == (alice.email, to_alice.message_id)
    assert email.subject.endswith(": In preparation")
    assert "Hello Alice Martin" in email.body
    assert email.html.startswith("<!doctype html>")
    assert kept[Channel.SMS].to == "+33612345678"
    assert kept[Channel.SMS].subject == ""
    assert kept[Channel.MESSENGER].to == chloe.messenger_url
    assert set(
        Delivery.objects.filter(channel__in=[Channel.EMAIL, Channel.SMS, Channel.MESSENGER])
        .exclude(status=Status.FAILED)  # Olivia has no email address
        .values_list("status", flat=True)
    ) == {Status.SENT}
