"""Password reset from the login page (Django's views, the email through the outbox) and password
change for a signed-in staff member and a signed-in contact."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from orderflow.accounts.actions import create_portal_login
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.notifications.models import Channel, Delivery, Notification, SandboxMessage
from orderflow.web.tests.conftest import run_worker, seller_url

NEW_PASSWORD = "lantern-orchard-42"


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def ask_reset(client, email):
    return client.post("/password/reset/", {"email": email})


def test_a_reset_answers_the_same_for_a_known_and_an_unknown_address(client, alice):
    create_portal_login(alice, password=PASSWORD, actor=Actor.system())

    known = ask_reset(client, alice.email)
    unknown = ask_reset(Client(), "nobody@nowhere.example")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.status_code == 302
    # Byte for byte, but for the CSRF token of the header's language switch (random for every visitor)
    assert without_csrf(Client().get(known["Location"])) == without_csrf(Client().get(unknown["Location"]))
    deliveries = Delivery.objects.filter(notification__template="password_reset")
    assert [(d.channel, d.address) for d in deliveries] == [(Channel.EMAIL, alice.email)]
    assert not Delivery.objects.filter(address="nobody@nowhere.example").exists()
    assert mail.outbox == []  # nothing is sent from the request


def test_a_reset_link_from_the_outbox_sets_a_new_password_once(client, sandbox, olivia):
    olivia.user.email = "olivia@acme.example"
    olivia.user.save()
    ask_reset(client, "OLIVIA@acme.example")
    run_worker()
    link = Notification.objects.get(template="password_reset").payload["action_url"]
    assert link in SandboxMessage.objects.get().body

    # Django's view swaps the token for a session and asks for the new password
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    olivia.user.refresh_from_db()
    assert olivia.user.check_password(NEW_PASSWORD)

    # The link is spent
    assert Client().get(link, follow=True).context["validlink"] is False


def test_a_login_with_no_seller_gets_no_reset_email(client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    assert ask_reset(client, "root@example.com").status_code == 302
    assert not Delivery.objects.exists()


def test_a_staff_member_changes_their_password_with_the_old_one(as_olivia, olivia):
    url = seller_url("password_change")
    assert as_olivia.get(url).status_code == 200

    wrong = as_olivia.post(
        url, {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert wrong.status_code == 400
    assert "old_password" in wrong.context["form"].errors
    olivia.user.refresh_from_db()
    assert olivia.user.check_password(PASSWORD)

    right = as_olivia.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert right.status_code == 302
    olivia.user.refresh_from_db()
    assert olivia.user.check_password(NEW_PASSWORD)
    assert "_auth_user_id" in as_olivia.session  # this session stays signed in


def test_a_new_password_must_pass_the_validators(as_olivia, olivia):
    url = seller_url("password_change")
    response = as_olivia.post(
        url, {"old_password": PASSWORD, "new_password1": "73925184", "new_password2": "73925184"}
    )
    assert response.status_code == 400
    olivia.user.refresh_from_db()
    assert olivia.user.check_password(PASSWORD)


def test_a_contact_changes_their_password_in_the_portal(client, alice):
    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    client.force_login(alice.user)
    assert b'href="/my/settings/password/"' in client.get("/my/settings/").content
    assert client.get("/my/settings/password/").status_code == 200

    wrong = client.post(
        "/my/settings/password/",
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    right = client.post(
        "/my/settings/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert right.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password(NEW_PASSWORD)


def test_the_login_page_links_to_the_reset_and_settings_link_to_the_change(client, as_olivia):
    assert b'href="/password/reset/"' in Client().get("/login/").content
    page = as_olivia.get(seller_url("my_notifications"))
    assert seller_url("password_change").encode() in page.content
