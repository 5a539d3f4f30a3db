"""People choose their own passwords: staff invite a contact to the portal, owners and managers invite
staff; each invitation is one email in the outbox with a link that works once, for 72 hours."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from orderflow.accounts.actions import invite_contact, invite_staff
from orderflow.accounts.models import Contact, Invitation, Membership
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.notifications.models import Channel, Delivery, Notification, SandboxMessage, Status
from orderflow.web.tests.conftest import order_url, run_worker, seller_url

NEW_PASSWORD = "lantern-orchard-42"


def link_of(invitation: Invitation) -> str:
    """The link in the latest invitation written for this address (tests read it from the outbox)."""
    notification = Notification.objects.filter(
        template__in=["portal_invitation", "staff_invitation"], email=invitation.email
    ).latest("pk")
    return (notification.payload or {})["action_url"]


def choose(client, link, password=NEW_PASSWORD, again=None):
    return client.post(link, {"new_password1": password, "new_password2": again or password})


def test_staff_invite_the_contact_who_placed_the_order_through_the_outbox(as_olivia, make_order, alice):
    order = make_order("shop")

    response = as_olivia.post(order_url(order, "order_invite_contact"))

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.contact, invitation.email, invitation.used_at) == (alice, alice.email, None)
    assert invitation.expires_at - invitation.created_at == dt.timedelta(hours=72)
    delivery = Delivery.objects.get(notification__template="portal_invitation")
    assert (delivery.channel, delivery.address, delivery.status) == (
        Channel.EMAIL,
        alice.email,
        Status.PENDING,
    )
    assert delivery.notification.contact == alice
    assert mail.outbox == []  # nothing is sent from the request
    assert as_olivia.get(order_url(order)).context["contact_login"]["invited_until"] == invitation.expires_at


def test_the_worker_sends_the_invitation_in_the_contacts_language(sandbox, olivia, bruno):
    Contact.objects.filter(pk=bruno.pk).update(email="bruno@cornerbar.example")
    bruno.refresh_from_db()
    invitation = invite_contact(bruno, actor=Actor.staff(olivia))

    run_worker()

    copy = SandboxMessage.objects.get(delivery__notification__template="portal_invitation")
    assert copy.to == "bruno@cornerbar.example"
    assert link_of(invitation) in copy.body
    assert link_of(invitation) in copy.html
    assert copy.delivery.notification.locale == "fr"


def test_an_invitation_sets_the_contacts_password_once(client, olivia, alice):
    link = link_of(invite_contact(alice, actor=Actor.staff(olivia)))
    assert client.get(link).status_code == 200

    response = choose(client, link)

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.user.username == alice.email
    assert alice.user.check_password(NEW_PASSWORD)
    assert client.post("/login/", {"username": alice.email, "password": NEW_PASSWORD}).status_code == 302

    # Used twice: refused, nothing changes
    other = Client()
    assert other.get(link).status_code == 410
    assert choose(other, link, password="another-choice-77").status_code == 410
    alice.user.refresh_from_db()
    assert alice.user.check_password(NEW_PASSWORD)
    assert User.objects.count() == 2  # Olivia and Alice


def test_an_invitation_expires_after_72_hours(client, olivia, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        link = link_of(invite_contact(alice, actor=Actor.staff(olivia)))
        clock.move_to(start + dt.timedelta(hours=72, seconds=1))

        assert client.get(link).status_code == 410
        assert choose(client, link).status_code == 410

    alice.refresh_from_db()
    assert alice.user is None
    assert Invitation.objects.get().used_at is None


def test_an_unknown_link_is_refused(client, alice):
    assert client.get("/invitation/not-a-real-token/").status_code == 410


def test_a_weak_password_is_refused_and_the_invitation_stays_open(client, olivia, alice):
    link = link_of(invite_contact(alice, actor=Actor.staff(olivia)))

    for weak in ("73925184", "password", "short1", "alicemartin1"):
        response = choose(client, link, password=weak)
        assert response.status_code == 400
        assert response.context["form"].errors["new_password2"]
    assert choose(client, link, password=NEW_PASSWORD, again="lantern-orchard-43").status_code == 400

    alice.refresh_from_db()
    assert alice.user is None
    assert Invitation.objects.get().used_at is None


def test_a_new_invitation_withdraws_the_earlier_one(client, olivia, alice):
    first = link_of(invite_contact(alice, actor=Actor.staff(olivia)))
    second = link_of(invite_contact(alice, actor=Actor.staff(olivia)))

    assert choose(client, first).status_code == 410
    assert choose(client, second).status_code == 302


def test_staff_of_another_seller_cannot_invite_a_contact(client, alice, rita, make_order):
    with pytest.raises(Forbidden):
        invite_contact(alice, actor=Actor.staff(rita))
    order = make_order("shop")
    client.force_login(rita.user)
    response = client.post(order_url(order, "order_invite_contact").replace("/s/acme/", "/s/rival/"))
    assert response.status_code == 404
    assert not Invitation.objects.exists()
    assert not Delivery.objects.filter(notification__template="portal_invitation").exists()


def test_a_contact_with_a_login_or_without_an_email_is_not_invited(olivia, alice, bruno):
    with pytest.raises(ActionError) as no_email:
        invite_contact(bruno, actor=Actor.staff(olivia))
    assert no_email.value.code == "invalid"
    User.objects.create_user(alice.email, alice.email, PASSWORD)
    with pytest.raises(ActionError) as taken:
        invite_contact(alice, actor=Actor.staff(olivia))
    assert taken.value.code == "duplicate"
    assert not Invitation.objects.exists()


def test_staff_no_longer_set_a_contacts_password(as_olivia, make_order):
    order = make_order("shop")
    page = as_olivia.get(order_url(order))
    assert b'type="password"' not in page.content
    assert as_olivia.post(f"{order_url(order)}portal-login/", {"password1": "x"}).status_code == 404


def test_an_owner_invites_a_manager_who_chooses_a_password_and_signs_in(as_olivia, client):
    response = as_olivia.post(
        seller_url("team"), {"email": "Nina@Acme.example", "name": "Nina Park", "role": "manager"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.contact) == ("nina@acme.example", "manager", None)
    delivery = Delivery.objects.get(notification__template="staff_invitation")
    assert delivery.address == "nina@acme.example"

    newcomer = Client()
    assert choose(newcomer, link_of(invitation)).status_code == 302
    member = Membership.objects.get(user__username="nina@acme.example")
    assert (member.seller.slug, member.role, member.is_active) == ("acme", "manager", True)
    assert (
        newcomer.post("/login/", {"username": "nina@acme.example", "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_who_may_invite_staff(acme, olivia, sam, max_manager, rita):
    with pytest.raises(Forbidden):
        invite_staff(acme, email="a@acme.example", name="A", role="staff", actor=Actor.staff(sam))
    with pytest.raises(Forbidden):
        invite_staff(acme, email="a@acme.example", name="A", role="owner", actor=Actor.staff(max_manager))
    with pytest.raises(Forbidden):
        invite_staff(acme, email="a@acme.example", name="A", role="staff", actor=Actor.staff(rita))
    User.objects.create_user("taken@acme.example", "taken@acme.example", PASSWORD)
    with pytest.raises(ActionError) as taken:
        invite_staff(acme, email="Taken@acme.example", name="", role="staff", actor=Actor.staff(olivia))
    assert taken.value.code == "duplicate"
    invite_staff(acme, email="a@acme.example", name="A", role="staff", actor=Actor.staff(max_manager))
    assert Invitation.objects.filter(email="a@acme.example").count() == 1


def test_the_team_page_refuses_a_bad_invitation_form(as_olivia):
    response = as_olivia.post(seller_url("team"), {"email": "not-an-address", "role": "staff"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_staff_cannot_read_an_invitation_kept_in_the_sandbox(as_olivia, sandbox, olivia, alice):
    invite_contact(alice, actor=Actor.staff(olivia))
    run_worker()
    copy = SandboxMessage.objects.get()

    listing = as_olivia.get(seller_url("outbox"))
    assert listing.status_code == 200
    assert seller_url("outbox_message", delivery_id=copy.delivery_id).encode() not in listing.content
    assert as_olivia.get(seller_url("outbox_message", delivery_id=copy.delivery_id)).status_code == 404


def test_the_demo_shows_invitations_in_the_sandbox_so_they_can_be_followed(
    as_olivia, sandbox, settings, olivia, alice
):
    settings.DEBUG = True
    invite_contact(alice, actor=Actor.staff(olivia))
    run_worker()
    copy = SandboxMessage.objects.get()

    assert as_olivia.get(seller_url("outbox_message", delivery_id=copy.delivery_id)).status_code == 200
