"""Whose language a page is in: a staff member's own choice, else the seller's; a contact's language on
the portal; the browser's Accept-Language when signed out; the header's switch, saved for a signed-in
person. Pages are told apart by their Content-Language and <html lang>, and by a translated string."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from orderflow.accounts.actions import (
    add_contact,
    add_staff,
    create_portal_login,
    create_seller,
    set_staff_language,
)
from orderflow.accounts.models import Contact, Membership
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications import links
from orderflow.web.tests.conftest import seller_url


def language_of(response) -> str:
    """The language a page says it is in, after checking that the header and the markup agree."""
    assert response.status_code == 200
    language = response.headers["Content-Language"]
    assert f'<html lang="{language}">' in response.content.decode()
    return language


def shows_french(response, english: str = "Log out") -> bool:
    with translation.override("fr"):
        french = translation.gettext(english)
    assert french != english, "the catalogue is not compiled (make compile-messages)"
    return french in response.content.decode()


@pytest.fixture
def erables(db):
    return create_seller(
        name="Résidence Les Érables", slug="erables", time_zone="America/Toronto", locale="fr"
    )


@pytest.fixture
def marie(erables) -> Membership:
    return add_staff(erables, username="marie", password=PASSWORD, first_name="Marie", role="owner")


def test_staff_read_the_sellers_language_when_they_chose_none(client, marie):
    client.force_login(marie.user)

    response = client.get(seller_url("dashboard", "erables"), HTTP_ACCEPT_LANGUAGE="en")

    assert language_of(response) == "fr"
    assert shows_french(response)


def test_a_staff_members_own_choice_wins_over_the_sellers_language(client, marie, olivia):
    set_staff_language(marie, language="en", actor=Actor.staff(marie))
    set_staff_language(olivia, language="fr", actor=Actor.staff(olivia))
    client.force_login(marie.user)
    assert language_of(client.get(seller_url("dashboard", "erables"), HTTP_ACCEPT_LANGUAGE="fr")) == "en"

    client.force_login(olivia.user)
    response = client.get(seller_url("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert language_of(response) == "fr"
    assert shows_french(response)


def test_one_person_reads_each_seller_in_that_members_language(client, marie, acme):
    # Given Marie also works for Acme (English), with no choice of her own at either
    add_staff(acme, username="marie", password=None, role="staff")
    client.force_login(marie.user)

    assert language_of(client.get(seller_url("dashboard", "erables"))) == "fr"
    assert language_of(client.get(seller_url("dashboard", "acme"))) == "en"


def test_the_settings_page_saves_the_choice_and_an_empty_one_follows_the_seller(client, marie):
    client.force_login(marie.user)
    page = client.get(seller_url("my_notifications", "erables"))
    assert 'name="language"' in page.content.decode()

    client.post(seller_url("my_language", "erables"), {"language": "en"})
    marie.refresh_from_db()
    assert marie.language == "en"
    assert language_of(client.get(seller_url("dashboard", "erables"))) == "en"

    client.post(seller_url("my_language", "erables"), {"language": ""})
    marie.refresh_from_db()
    assert (marie.language, marie.reading_language) == ("", "fr")


def test_nobody_else_chooses_a_members_language(marie, olivia):
    with pytest.raises(ActionError) as refused:
        set_staff_language(marie, language="en", actor=Actor.staff(olivia))
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionError) as refused:
        set_staff_language(marie, language="de", actor=Actor.staff(marie))
    assert refused.value.code == "invalid"


def test_signed_out_pages_follow_the_browsers_accept_language(client, db):
    assert language_of(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5")) == "fr"
    assert language_of(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")) == "en"
    assert language_of(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de")) == "en"


def test_the_switch_signed_out_sets_the_language_for_later_pages(client, db):
    response = client.post(reverse("switch_language"), {"language": "fr", "next": reverse("login")})

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("login")
    assert language_of(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")) == "fr"


def test_the_switch_signed_in_saves_the_persons_choice(client, marie):
    client.force_login(marie.user)
    page = client.get(seller_url("dashboard", "erables"))
    assert 'data-testid="switch-language-en"' in page.content.decode()

    client.post(reverse("switch_language"), {"language": "en", "next": seller_url("dashboard", "erables")})

    marie.refresh_from_db()
    assert marie.language == "en"
    assert language_of(client.get(seller_url("dashboard", "erables"), HTTP_ACCEPT_LANGUAGE="fr")) == "en"


def test_the_switch_ignores_a_language_not_offered(client, marie):
    client.force_login(marie.user)
    client.post(reverse("switch_language"), {"language": "de", "next": "/"})
    marie.refresh_from_db()
    assert marie.language == ""


@pytest.fixture
def claire(corner_bar) -> Contact:
    contact = add_contact(
        corner_bar, name="Claire Roy", email="claire@cornerbar.example", locale="fr", time_zone="Europe/Paris"
    )
    create_portal_login(contact, password=PASSWORD, actor=Actor.system())
    contact.refresh_from_db()
    return contact


def test_the_switch_changes_a_contacts_language(client, claire):
    client.force_login(claire.user)

    client.post(reverse("switch_language"), {"language": "en", "next": reverse("portal_orders")})

    claire.refresh_from_db()
    assert claire.locale == "en"
    assert language_of(client.get(reverse("portal_orders"), HTTP_ACCEPT_LANGUAGE="fr")) == "en"


def test_a_tracking_link_shows_the_order_in_its_contacts_language(client, make_order, bruno):
    # Given Bruno (French) was sent a tracking link; the browser opening it asks for English
    order = make_order("shop")
    track = re.sub(r"^https?://[^/]+", "", links.url("track", order=order.pk, contact=bruno.pk))

    response = client.get(track, HTTP_ACCEPT_LANGUAGE="en")

    assert language_of(response) == "fr"
    assert shows_french(response, "History")
    assert 'data-testid="switch-language-' not in response.content.decode()  # a link is not a login


def test_a_tracking_link_of_an_english_contact_stays_english_for_a_french_browser(client, make_order, alice):
    order = make_order("shop")
    track = re.sub(r"^https?://[^/]+", "", links.url("track", order=order.pk, contact=alice.pk))

    assert language_of(client.get(track, HTTP_ACCEPT_LANGUAGE="fr")) == "en"


def test_a_contacts_portal_page_has_the_switch_and_is_in_their_language(client, claire):
    client.force_login(claire.user)

    response = client.get(reverse("portal_orders"), HTTP_ACCEPT_LANGUAGE="en")

    assert language_of(response) == "fr"
    assert shows_french(response, "My orders")
    assert 'data-testid="switch-language-en"' in response.content.decode()
