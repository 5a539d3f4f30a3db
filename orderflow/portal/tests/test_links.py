"""Links in messages are capabilities: opaque, for one purpose on one order, honoured only while that
purpose makes sense, revocable by staff, dead with their contact, and never cached nor leaked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import signing

from orderflow.accounts.actions import deactivate_contact
from orderflow.conversations.models import Message
from orderflow.core.actors import Actor
from orderflow.core.errors import Forbidden
from orderflow.notifications import links
from orderflow.notifications.actions import (
    delivery_slots,
    revoke_contact_links,
    revoke_order_links,
    update_settings,
)
from orderflow.notifications.models import LinkGrant, LinkPurpose, Notification
from orderflow.notifications.render import render
from orderflow.orders.actions import cancel_order, transition_order
from orderflow.orders.models import EventType

PACKED = ("measurements", "design_agreed", "materials_selected", "in_production", "packed")


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def refusal(response) -> str:
    """The code a refused link's page carries (bad_link.html)."""
    found = re.search(r'data-code="([a-z_]+)"', response.content.decode())
    return found.group(1) if found else ""


@pytest.fixture
def packed_doors(make_order):
    return make_order("custom-production", path=PACKED)


def test_a_link_names_no_ids_and_its_token_is_not_stored(make_order, alice):
    order = make_order("shop")
    token = links.token("track", order=order.pk, contact=alice.pk)

    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", token)
    grant = LinkGrant.objects.get()
    assert (grant.purpose, grant.order_id, grant.contact_id) == ("track", order.pk, alice.pk)
    assert token not in (grant.token_hash, grant.nonce)


def test_rendering_a_message_again_writes_the_same_links(make_order, alice, olivia):
    # Given a status message to Alice, rendered once (a delivery that will be retried)
    order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
    notification = Notification.objects.get(order=order, contact=alice, template="status_changed")
    first = render(notification)

    # When it is rendered again
    again = render(notification)

    # Then it carries the same links, from one grant per purpose
    assert re.findall(r"https?://\S+", first.text) == re.findall(r"https?://\S+", again.text)
    grants = LinkGrant.objects.filter(notification=notification)
    assert sorted(grants.values_list("purpose", flat=True)) == ["prefs", "track"]


def test_a_revoked_link_cannot_be_replayed_and_changes_nothing(client, make_order, alice, olivia):
    # Given Alice wrote through her tracking link
    order = make_order("shop")
    url = path_of(links.url("track", order=order.pk, contact=alice.pk))
    assert client.post(url, {"body": "Ring twice"}).status_code == 302

    # When staff withdraw the order's links and the same request is made again
    assert revoke_order_links(order, actor=Actor.staff(olivia)) == 1
    replay = client.post(url, {"body": "Ring twice"})

    # Then it is refused and no message was added
    assert (replay.status_code, refusal(replay)) == (404, "revoked")
    assert Message.objects.filter(order=order).count() == 1
    assert refusal(client.get(url)) == "revoked"


def test_staff_withdraw_links_from_the_order_page(client, make_order, alice, olivia):
    order = make_order("shop")
    track = path_of(links.url("track", order=order.pk, contact=alice.pk))
    prefs = path_of(links.url("prefs", contact=alice.pk))
    client.force_login(olivia.user)
    base = f"/s/{olivia.seller.slug}/orders/{order.number}"

    assert client.post(f"{base}/links/revoke/").status_code == 302
    assert refusal(client.get(track)) == "revoked"
    assert client.get(prefs).status_code == 200  # settings links name no order

    assert client.post(f"{base}/contact/links/revoke/").status_code == 302
    assert refusal(client.get(prefs)) == "revoked"
    assert LinkGrant.objects.filter(revoked_by=olivia).count() == 2


def test_another_sellers_staff_cannot_withdraw_links(make_order, alice, rita):
    order = make_order("shop")
    links.url("track", order=order.pk, contact=alice.pk)
    with pytest.raises(Forbidden):
        revoke_order_links(order, actor=Actor.staff(rita))
    with pytest.raises(Forbidden):
        revoke_contact_links(alice, actor=Actor.staff(rita))
    assert not LinkGrant.objects.filter(revoked_at__isnull=False).exists()


def test_a_link_pointing_at_another_customers_order_is_refused(client, make_order, rival_customer):
    from orderflow.accounts.actions import add_contact

    # A grant can only be made by the product; a forged one pairing another customer's order with a
    # contact is refused all the same.
    outsider = add_contact(rival_customer, name="Oscar", email="oscar@rival.example")
    order = make_order("shop")
    response = client.get(path_of(links.url("track", order=order.pk, contact=outsider.pk)))
    assert (response.status_code, refusal(response)) == (404, "not_yours")


def test_a_changed_token_is_refused(client, make_order, alice):
    order = make_order("shop")
    token = links.token("track", order=order.pk, contact=alice.pk)
    swapped = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.get(f"/t/{swapped}/")
    assert (response.status_code, refusal(response)) == (404, "invalid")


def test_a_deactivated_contacts_links_and_portal_stop_at_once(client, make_order, alice, olivia):
    # Given Alice's tracking link and her settings link
    order = make_order("shop")
    track = path_of(links.url("track", order=order.pk, contact=alice.pk))
    prefs = path_of(links.url("prefs", contact=alice.pk))

    # When staff deactivate her
    deactivate_contact(alice, actor=Actor.staff(olivia))

    # Then neither link works, nor can she write through one
    assert refusal(client.get(prefs)) == "revoked"
    response = client.post(track, {"body": "Still there?"})
    assert (response.status_code, refusal(response)) == (404, "revoked")
    assert not Message.objects.filter(order=order).exists()


def test_a_contact_deactivated_without_revoking_is_refused_when_the_link_is_used(client, make_order, alice):
    # The contact's state is read each time a link is used, not only when links are revoked.
    order = make_order("shop")
    track = path_of(links.url("track", order=order.pk, contact=alice.pk))
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert refusal(client.get(track)) == "contact_inactive"


def test_a_cancelled_order_can_be_read_but_not_written_to(client, make_order, alice, olivia):
    # Given a cancelled order and Alice's tracking link
    order = make_order("shop")
    url = path_of(links.url("track", order=order.pk, contact=alice.pk))
    cancel_order(order, reason="Out of stock", actor=Actor.staff(olivia))

    # When she opens it and tries to write
    page = client.get(url)
    response = client.post(url, {"body": "Why?"})

    # Then she reads it, without a form to write, and her message is refused
    assert page.status_code == 200
    assert 'data-code="closed"' in page.content.decode()
    assert response.status_code == 409
    assert not Message.objects.filter(order=order).exists()


def test_the_delivery_time_link_works_only_while_the_order_waits_for_one(client, make_order, alice, olivia):
    order = make_order("custom-production", path=PACKED[:-1])  # in production: not asked yet
    url = path_of(links.url("delivery", order=order.pk, contact=alice.pk))
    assert refusal(client.get(url)) == "not_waiting"

    transition_order(order, to="packed", actor=Actor.staff(olivia))
    assert client.get(url).status_code == 200

    transition_order(order, to="shipped", actor=Actor.staff(olivia))
    response = client.post(url, {"slot": "2030-01-01T09:00:00+00:00"})
    assert (response.status_code, refusal(response)) == (409, "not_waiting")
    assert not order.events.filter(type=EventType.DELIVERY_TIME).exists()


def test_the_delivery_time_changes_until_the_sellers_cut_off(client, packed_doors, alice, olivia, acme):
    # Given a seller who takes changes until 48 hours before the delivery, and a time booked
    update_settings(acme, delivery_change_cutoff_hours=48, actor=Actor.staff(olivia))
    url = path_of(links.url("delivery", order=packed_doors.pk, contact=alice.pk))
    slots = delivery_slots(packed_doors)
    assert min(slots) >= dt.datetime.now(dt.UTC) + dt.timedelta(hours=48)  # none offered too late
    assert client.post(url, {"slot": slots[0].isoformat()}).status_code == 302

    # When she changes it in time, then once it is 47 hours away
    assert client.post(url, {"slot": slots[1].isoformat()}).status_code == 302
    with time_machine.travel(slots[1] - dt.timedelta(hours=47), tick=False):
        late = delivery_slots(packed_doors)[0].isoformat()
        response = client.post(url, {"slot": late})

    # Then the late change is refused and the booked time stays
    assert response.status_code == 409
    chosen = packed_doors.events.filter(type=EventType.DELIVERY_TIME).order_by("-id").first()
    assert chosen.data["slot"] == slots[1].isoformat()
    assert packed_doors.events.filter(type=EventType.DELIVERY_TIME).count() == 2


def test_an_expired_link_is_refused(client, make_order, alice):
    order = make_order("shop")
    url = path_of(links.url("rate", order=order.pk, contact=alice.pk))
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=61)):
        response = client.get(url)
    assert (response.status_code, refusal(response)) == (404, "expired")


def test_pages_behind_links_are_not_cached_and_send_no_referrer_to_other_sites(client, make_order, alice):
    order = make_order("shop")
    for url in (
        path_of(links.url("track", order=order.pk, contact=alice.pk)),
        path_of(links.url("prefs", contact=alice.pk)),
        "/t/not-a-real-token-at-all/",
    ):
        response = client.get(url)
        assert response["Cache-Control"] == "no-store", url
        assert response["Referrer-Policy"] == "same-origin", (
            url
        )  # no Referer to other sites; its own forms still post


def test_a_link_sent_before_grants_existed_still_works_until_revoked(client, make_order, alice, olivia):
    # Given a tracking link signed the old way (readable ids), and another never used
    order = make_order("shop")
    old = signing.dumps({"order": order.pk, "contact": alice.pk}, salt="orderflow.track", compress=True)
    unused = signing.dumps({"order": order.pk, "contact": alice.pk}, salt="orderflow.rate", compress=True)

    # When it is used, it works (as a grant made on first use)
    assert client.get(f"/t/{old}/").status_code == 200
    assert LinkGrant.objects.filter(purpose=LinkPurpose.TRACK, nonce="").count() == 1

    # Then staff revoking the order's links reaches it, and the one never used as well
    revoke_order_links(order, actor=Actor.staff(olivia))
    assert refusal(client.get(f"/t/{old}/")) == "revoked"
    assert refusal(client.get(f"/f/{unused}/")) == "revoked"


def test_an_old_link_with_a_swapped_order_is_refused(client, make_order, alice):
    order = make_order("shop")
    other = make_order("shop")
    old = signing.dumps({"order": order.pk, "contact": alice.pk}, salt="orderflow.track")
    payload, rest = old.split(":", 1)
    forged = signing.b64_encode(f'{{"order":{other.pk},"contact":{alice.pk}}}'.encode()).decode()
    response = client.get(f"/t/{forged}:{rest}/")
    assert (response.status_code, refusal(response)) == (404, "invalid")
    assert payload != forged


def test_a_manager_sets_the_delivery_time_cut_off_on_the_settings_page(client, olivia, acme):
    from orderflow.notifications.models import NotificationSettings
    from orderflow.web.notification_forms import SellerSettingsForm

    current, _ = NotificationSettings.objects.get_or_create(seller=acme)
    form = SellerSettingsForm(current=current)
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {f"day_{d}": "09:00-18:00" for d in range(7)} | {"delivery_change_cutoff_hours": "6"}
    client.force_login(olivia.user)

    client.post(f"/s/{acme.slug}/settings/notifications/", data)

    assert NotificationSettings.objects.get(seller=acme).delivery_change_cutoff_hours == 6


def test_a_deactivated_contact_can_no_longer_use_the_signed_in_portal(as_alice, alice, olivia):
    assert as_alice.get("/my/").status_code == 200
    deactivate_contact(alice, actor=Actor.staff(olivia))
    assert as_alice.get("/my/").status_code == 404
