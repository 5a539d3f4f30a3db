"""A French shop's staff and customers read no English sentence of the product's own: every page is
rendered in French and searched for the English of every string in the catalogue (of three words or
more, so that names and codes shared by both languages are left alone)."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from orderflow.accounts.actions import (
    add_contact,
    add_customer,
    add_staff,
    create_portal_login,
    create_seller,
)
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.notifications import links
from orderflow.orders.actions import LineInput, place_order, transition_order
from orderflow.workflows.actions import install_order_type

STAFF_PAGES = [
    "dashboard",
    "outbox",
    "inbox",
    "calls",
    "notification_settings",
    "my_notifications",
    "team",
    "integrations",
    "catalog",
]


def english_sentences() -> set[str]:
    """The catalogue's English strings that French replaces, without their placeholders."""
    catalogue = trans_real.translation("fr")._catalog  # type: ignore[attr-defined]
    found = set()
    for msgid, msgstr in catalogue.items():
        if not isinstance(msgid, str) or "\x04" in msgid or msgid == msgstr:
            continue
        for part in re.split(r"%\(\w+\)[sdr]|<[^>]+>|\{[^}]*\}", msgid):
            part = part.strip(" .,:;()")
            if len(part.split()) >= 3:
                found.add(part)
    return found


def page_text(response) -> str:
    assert response.status_code == 200
    content = re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content)))


@pytest.fixture
def parc(db):
    # Made in French, as the shop's people would: what the notification trace stores (why someone was
    # told) is written in the language of whoever made the change.
    with translation.override("fr"):
        return _parc()


def _parc():
    seller = create_seller(name="Boutique du Parc", slug="parc", time_zone="America/Toronto", locale="fr")
    owner = add_staff(seller, username="claire", password=PASSWORD, first_name="Claire", role="owner")
    order_type = install_order_type(seller, preset="shop", actor=Actor.system())
    resident = add_customer(seller, name="Appartement 12")
    contact = add_contact(
        resident, name="Léa Roy", email="lea@parc.example", locale="fr", time_zone="America/Toronto"
    )
    create_portal_login(contact, password=PASSWORD, actor=Actor.system())
    order = place_order(
        resident,
        order_type=order_type,
        contact=contact,
        actor=Actor.customer(contact),
        lines=[LineInput("Pain", 1, "2")],
    )
    order = transition_order(order, to="in_preparation", actor=Actor.staff(owner))
    contact.refresh_from_db()
    return owner, contact, order


def test_a_french_shops_staff_pages_have_no_english_sentence(client, parc):
    owner, _contact, order = parc
    client.force_login(owner.user)
    english = english_sentences()
    assert len(english) > 200
    urls = [reverse(name, kwargs={"seller_slug": "parc"}) for name in STAFF_PAGES]
    urls.append(reverse("order_detail", kwargs={"seller_slug": "parc", "number": order.number}))

    pages = {url: page_text(client.get(url)) for url in urls}

    left = {url: sorted(s for s in english if s in text) for url, text in pages.items()}

    assert {url: found for url, found in left.items() if found} == {}


def test_a_french_customers_pages_have_no_english_sentence(client, parc):
    _owner, contact, order = parc
    english = english_sentences()
    track = re.sub(r"^https?://[^/]+", "", links.url("track", order=order.pk, contact=contact.pk))
    prefs = re.sub(r"^https?://[^/]+", "", links.url("prefs", contact=contact.pk))
    pages = {"track": page_text(client.get(track)), "prefs": page_text(client.get(prefs))}
    client.force_login(contact.user)
    for name in ("portal_orders", "portal_inbox", "portal_my_preferences"):
        pages[name] = page_text(client.get(reverse(name)))

    left = {name: sorted(s for s in english if s in text) for name, text in pages.items()}

    assert {name: found for name, found in left.items() if found} == {}
    with translation.override("fr"):
        assert translation.gettext("History") in pages["track"]
