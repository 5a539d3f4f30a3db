"""SMS and messenger through Apprise to a local JSON endpoint, one worker step at a time, with the guard on
where Apprise may post. (In-app, calls and the sandbox are tested in their folders, channels/<kind>/tests.)"""

from __future__ import annotations

import datetime as dt
import socket
from zoneinfo import ZoneInfo

import pytest
import time_machine

from orderflow.accounts.actions import add_contact
from orderflow.core import outbound
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.actions import update_settings
from orderflow.notifications.models import (
    Channel,
    Delivery,
    DeliveryAttempt,
    NotificationSettings,
    Status,
)
from orderflow.notifications.worker import Worker
from orderflow.orders.actions import transition_order

PARIS = ZoneInfo("Europe/Paris")
# 10:00 in Paris, 04:00 in New York: inside Bruno's hours (Alice's email, were there one, would wait).
MORNING_IN_PARIS = dt.datetime(2026, 6, 10, 10, 0, tzinfo=PARIS)
Outcome = DeliveryAttempt.Outcome


@pytest.fixture
def paris_morning():
    with time_machine.travel(MORNING_IN_PARIS, tick=False) as clock:
        yield clock


@pytest.fixture
def chloe(corner_bar, http_sink):
    """A contact who wants messages in her chat app (an Apprise URL; here the local JSON endpoint)."""
    return add_contact(
        corner_bar,
        name="Chloé Roux",
        email="chloe@cornerbar.example",
        time_zone="Europe/Paris",
        preferred_channels=["messenger"],
        messenger_url=http_sink.url("chat/chloe"),
    )


def prepare_for(contact, make_order, olivia):
    """A shop order placed for `contact`, moved into preparation by Olivia."""
    order = make_order("shop", contact=contact)
    return transition_order(order, to="in_preparation", actor=Actor.staff(olivia))


def status_delivery(contact, channel: str) -> Delivery:
    return Delivery.objects.select_related("notification").get(
        notification__contact=contact, notification__template="status_changed", channel=channel
    )


def sms_url(acme, olivia, url: str) -> None:
    update_settings(acme, sms_url=url, actor=Actor.staff(olivia))


# -- SMS ------------------------------------------------------------------------------------------


def test_an_sms_goes_through_the_sellers_apprise_url_with_the_number(
    paris_morning, use_http_sink, make_order, acme, olivia, bruno
):
    # Given Acme's SMS service is the local JSON endpoint, with {to} where the number goes
    sms_url(acme, olivia, use_http_sink.url("sms/{to}"))
    order = prepare_for(bruno, make_order, olivia)
    delivery = status_delivery(bruno, Channel.SMS)

    Worker().run_once()

    # Then the endpoint got Bruno's number and the short text, in French
    [post] = use_http_sink.posts
    assert post.path == "/sms/+33612345678"
    assert post.body["message"].startswith(
        f"Acme Supplies : commande n° {order.number} : En préparation. http://"
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == (Status.SENT, "")
    assert list(delivery.attempt_log.values_list("outcome", flat=True)) == [Outcome.SENT]


def test_an_sms_service_answering_500_is_retried_with_the_reason_apprise_gave(
    paris_morning, use_http_sink, make_order, acme, olivia, bruno
):
    sms_url(acme, olivia, use_http_sink.url("sms/{to}"))
    use_http_sink.status = 500
    prepare_for(bruno, make_order, olivia)

    Worker().run_once()

    delivery = status_delivery(bruno, Channel.SMS)
    assert delivery.status == Status.PENDING
    assert delivery.error.startswith("The service did not accept the message: ")
    assert "error=500" in delivery.error
    assert delivery.due_at == MORNING_IN_PARIS + dt.timedelta(seconds=5)
    assert [a.outcome for a in delivery.attempt_log.all()] == [Outcome.RETRY]
    assert len(use_http_sink.posts) == 1


def test_an_invalid_apprise_url_fails_for_good(paris_morning, use_http_sink, make_order, acme, olivia, bruno):
    # Saved directly: the settings action only checks for {to}, Apprise decides what a valid URL is.
    NotificationSettings.objects.update_or_create(seller=acme, defaults={"sms_url": "nosuchservice://{to}"})
    prepare_for(bruno, make_order, olivia)

    Worker().run_once()

    delivery = status_delivery(bruno, Channel.SMS)
    assert delivery.status == Status.FAILED
    assert delivery.error == "The Apprise URL is not valid (check its scheme and parts)."
    assert use_http_sink.posts == []


def test_a_seller_without_an_sms_service_fails_the_sms_for_good(
    paris_morning, use_http_sink, make_order, olivia, bruno
):
    prepare_for(bruno, make_order, olivia)

    Worker().run_once()

    delivery = status_delivery(bruno, Channel.SMS)
    assert delivery.status == Status.FAILED
    assert "No SMS service is set up for this seller" in delivery.error


def test_a_json_url_to_a_private_address_is_refused(
    paris_morning, use_http_sink, settings, make_order, acme, olivia, bruno
):
    # Given a URL saved while private addresses were allowed, and now they are not (the production default)
    sms_url(acme, olivia, use_http_sink.url("sms/{to}"))
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    prepare_for(bruno, make_order, olivia)

    Worker().run_once()

    # Then the connection is refused, for good, and nothing reached the endpoint
    delivery = status_delivery(bruno, Channel.SMS)
    assert delivery.status == Status.FAILED
    assert use_http_sink.posts == []


def test_a_redirect_from_the_service_is_not_followed_when_private_addresses_are_guarded(
    paris_morning, use_http_sink, settings, monkeypatch, make_order, acme, olivia, bruno
):
    # Given a service that passes the address check (as a public host would) but answers with a
    # redirect into the private network
    sms_url(acme, olivia, use_http_sink.url("sms/{to}"))
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    monkeypatch.setattr(outbound, "is_public", lambda address: True)
    use_http_sink.status, use_http_sink.location = 307, f"http://127.0.0.1:{use_http_sink.port}/internal"
    prepare_for(bruno, make_order, olivia)

    Worker().run_once()

    # Then the redirect was not followed: one post, and the SMS waits for a retry
    assert [post.path for post in use_http_sink.posts] == ["/sms/+33612345678"]
    delivery = status_delivery(bruno, Channel.SMS)
    assert delivery.status == Status.PENDING
    assert "error=307" in delivery.error


# -- messenger ------------------------------------------------------------------------------------


def test_a_messenger_message_goes_to_the_contacts_own_apprise_url(
    paris_morning, use_http_sink, make_order, olivia, chloe
):
    order = prepare_for(chloe, make_order, olivia)

    Worker().run_once()

    [post] = use_http_sink.posts
    assert post.path == "/chat/chloe"
    assert post.body["title"] == f"Order #{order.number}: In preparation"
    assert post.body["message"].startswith(f"Acme Supplies: order #{order.number} is now In preparation.")
    assert status_delivery(chloe, Channel.MESSENGER).status == Status.SENT


def test_a_messenger_service_that_fails_is_retried_and_a_private_one_refused(
    paris_morning, use_http_sink, settings, make_order, olivia, chloe
):
    use_http_sink.status = 503
    prepare_for(chloe, make_order, olivia)
    Worker().run_once()
    delivery = status_delivery(chloe, Channel.MESSENGER)
    assert delivery.status == Status.PENDING
    assert "error=503" in delivery.error

    settings.ALLOW_PRIVATE_DESTINATIONS = False
    paris_morning.shift(5)
    Worker().run_once()
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert len(use_http_sink.posts) == 1


# -- where Apprise may connect --------------------------------------------------------------------


@pytest.fixture
def listener():
    """A local TCP port that no message may reach: accept() tells whether anything connected."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    yield server
    server.close()


def reached(server) -> bool:
    try:
        server.accept()[0].close()
    except TimeoutError:
        return False
    return True


@pytest.mark.parametrize(
    "template",
    [
        "json://127.0.0.1:{port}/sms/{to}",
        "xml://127.0.0.1:{port}/sms/{to}",
        "form://127.0.0.1:{port}/sms/{to}",
        "ntfy://127.0.0.1:{port}/sms?to={to}",
        "gotify://127.0.0.1:{port}/abcdefghijklmnop?to={to}",
        "mmost://127.0.0.1:{port}/abcdefghijklmnopqrstuvwxyz?to={to}",
        "apprise://127.0.0.1:{port}/key?to={to}",
        "json://2130706433:{port}/sms/{to}",
        "json://[::ffff:127.0.0.1]:{port}/sms/{to}",
    ],
)
def test_an_sms_service_on_a_private_address_is_never_connected_to_whatever_its_scheme(
    paris_morning, listener, settings, make_order, acme, olivia, bruno, template
):
    # Given an SMS URL on loopback that was saved without the entry check (e.g. before it existed)
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    settings.NOTIFICATIONS_SANDBOX = False
    url = template.replace("{port}", str(listener.getsockname()[1]))
    NotificationSettings.objects.update_or_create(seller=acme, defaults={"sms_url": url})
    prepare_for(bruno, make_order, olivia)

    Worker().run_once()

    # Then the guard refused the connection itself: failed for good, nothing reached the port
    assert status_delivery(bruno, Channel.SMS).status == Status.FAILED
    assert not reached(listener)


def test_a_service_at_a_fixed_address_is_refused_when_its_name_resolves_inside(
    paris_morning, settings, dns, make_order, acme, olivia, bruno
):
    # Given Twilio's API name answering a private address (a poisoned or rebinding resolver)
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    settings.NOTIFICATIONS_SANDBOX = False
    dns["api.twilio.com"] = [["10.0.0.7"]]
    sms_url(acme, olivia, "twilio://AC" + "a" * 32 + ":" + "b" * 32 + "@15555550100/{to}")
    prepare_for(bruno, make_order, olivia)

    Worker().run_once()

    # Then the connection was refused for good (a Twilio that cannot be reached would be retried)
    assert status_delivery(bruno, Channel.SMS).status == Status.FAILED


def test_an_sms_url_on_a_private_address_is_refused_when_saved(acme, olivia, settings):
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    with pytest.raises(ActionError) as refused:
        sms_url(acme, olivia, "ntfy://127.0.0.1:8199/{to}")
    assert refused.value.code == "private_destination"
    assert not NotificationSettings.objects.filter(seller=acme).exclude(sms_url="").exists()
