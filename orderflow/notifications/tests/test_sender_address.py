"""Which address a seller's mail comes From: only a domain the platform's operator verified for the
seller (`Seller.sender_domains`, set in the admin); the Reply-To may be any address."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from orderflow.accounts.models import Seller
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.actions import update_settings
from orderflow.notifications.channels.email.transport import senders
from orderflow.notifications.models import NotificationSettings


def verify(seller: Seller, domains: str) -> None:
    """What the platform's operator does in the admin once the seller's SPF and DKIM records are set."""
    seller.sender_domains = domains
    seller.full_clean()
    seller.save(update_fields=["sender_domains"])


def test_a_from_on_a_verified_domain_is_saved(acme, olivia):
    verify(acme, "acme.example\nmail.acme.example")

    update_settings(acme, email_from="Shop@Mail.Acme.example", actor=Actor.staff(olivia))

    assert NotificationSettings.objects.get(seller=acme).email_from == "Shop@Mail.Acme.example"
    assert senders(Seller.objects.select_related("notification_settings").get(pk=acme.pk)) == (
        "Shop@Mail.Acme.example",
        "",
    )


@pytest.mark.parametrize(
    ("domains", "address"),
    [
        ("", "orders@acme.example"),  # nothing verified yet
        ("acme.example", "orders@evil.example"),
        ("acme.example", "orders@shop.acme.example"),  # a subdomain needs its own line
        ("acme.example", "orders@acme.example.evil.example"),
    ],
)
def test_a_from_off_the_verified_domains_is_refused_and_nothing_is_saved(acme, olivia, domains, address):
    verify(acme, domains)

    with pytest.raises(ActionError) as refused:
        update_settings(acme, email_from=address, feedback_delay_minutes=5, actor=Actor.staff(olivia))

    assert (refused.value.code, refused.value.details) == ("sender_not_verified", {"field": "email_from"})
    assert not NotificationSettings.objects.filter(seller=acme).exists()


def test_a_from_refused_leaves_earlier_settings_as_they_were(acme, olivia):
    verify(acme, "acme.example")
    update_settings(
        acme, email_from="shop@acme.example", reply_to="desk@acme.example", actor=Actor.staff(olivia)
    )

    with pytest.raises(ActionError):
        update_settings(
            acme, email_from="shop@other.example", reply_to="new@other.example", actor=Actor.staff(olivia)
        )

    saved = NotificationSettings.objects.get(seller=acme)
    assert (saved.email_from, saved.reply_to) == ("shop@acme.example", "desk@acme.example")


def test_any_reply_to_may_be_set_and_goes_with_the_platforms_from(acme, olivia, settings):
    settings.DEFAULT_FROM_EMAIL = "Orderflow <orders@platform.example>"

    update_settings(acme, reply_to="owner@gmail.example", actor=Actor.staff(olivia))

    acme = Seller.objects.select_related("notification_settings").get(pk=acme.pk)
    assert senders(acme) == ("orders@platform.example", "owner@gmail.example")


def test_a_reply_to_that_is_not_an_address_is_refused(acme, olivia):
    with pytest.raises(ActionError) as refused:
        update_settings(acme, reply_to="not an address", actor=Actor.staff(olivia))

    assert (refused.value.code, refused.value.details) == ("invalid", {"field": "reply_to"})
    assert not NotificationSettings.objects.filter(seller=acme).exists()


def test_staff_cannot_set_a_sender(acme, sam):
    verify(acme, "acme.example")

    with pytest.raises(ActionError) as refused:
        update_settings(acme, email_from="sam@acme.example", actor=Actor.staff(sam))

    assert refused.value.code == "forbidden"


def test_verified_domains_must_be_domain_names(acme):
    acme.sender_domains = "acme.example\nnot a domain\n@acme.example"

    with pytest.raises(ValidationError) as refused:
        acme.full_clean()

    assert list(refused.value.message_dict) == ["sender_domains"]


def test_the_verified_domains_are_not_a_setting_sellers_can_change(acme, olivia):
    with pytest.raises(ActionError) as refused:
        update_settings(acme, sender_domains="evil.example", actor=Actor.staff(olivia))

    assert refused.value.code == "invalid"
    acme.refresh_from_db()
    assert acme.sender_domains == ""
