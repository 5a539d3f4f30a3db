"""The product's messages are template files, four per message in each language, rendered by one
function; the layouts around them (offer, settings footer) are files in each language too."""

from __future__ import annotations

import re

import pytest

from orderflow.core.actors import Actor
from orderflow.notifications.models import Notification
from orderflow.notifications.render import (
    MESSAGES_DIR,
    PARTS,
    PLACEHOLDERS,
    DefaultWording,
    check,
    defaults,
    locales,
    render,
    template_keys,
)
from orderflow.orders.actions import transition_order

FILES = ("subject.txt", "body-text.txt", "body-html.html", "sms.txt")
LAYOUTS = ("_email-text.txt", "_email-html.html", "_seller-body-html.html", "_sms.txt")


def test_every_message_has_its_four_files_in_every_language():
    assert locales() == ["en", "fr"]
    assert len(template_keys()) >= 9
    for locale in locales():
        names = {path.name for path in (MESSAGES_DIR / locale).iterdir()}
        expected = {f"{key}-{name}" for key in template_keys() for name in FILES} | set(LAYOUTS)
        assert names == expected, locale


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("filled", [True, False], ids=["every-placeholder", "none"])
def test_every_default_renders_in_every_language(locale, filled):
    context = {name: (f"<{name}>" if filled else "") for name in PLACEHOLDERS}
    context |= {"subject": "S", "body": "B", "short": "b", "footer": True}
    for key in template_keys():
        wording = DefaultWording(locale, key)
        for part in PARTS:
            assert wording.text(part, context), (key, part)
        html = wording.html(context)
        assert html.startswith("<!doctype html>")
        assert f'<html lang="{locale}">' in html
        if filled:
            assert "&lt;recipient_name&gt;" in html
            assert "<recipient_name>" not in html


def test_the_defaults_are_what_a_seller_may_write():
    # The staff page starts a seller's wording from the default: saving it as shown must pass.
    for locale in locales():
        for parts in defaults(locale).values():
            for part in PARTS:
                check(parts[part], part)


def test_the_footer_comes_from_the_recipients_language(make_order, alice, bruno, olivia):
    rendered = {}
    for contact in (alice, bruno):
        order = transition_order(
            make_order("shop", contact=contact), to="in_preparation", actor=Actor.staff(olivia)
        )
        rendered[contact.locale] = render(
            Notification.objects.get(order=order, contact=contact, template="status_changed")
        )

    footers = {}
    for locale, message in rendered.items():
        assert re.search(r"/p/\S+", message.text)  # the settings link, in the text's footer
        assert not re.search(r"/p/\S+", message.body)  # not in what is read out on a call
        assert re.search(r'<a href="[^"]*/p/', message.html)
        [line] = [line for line in message.text.splitlines() if "/p/" in line]
        footers[locale] = line.split("http")[0]
    assert footers["en"] != footers["fr"]


def test_user_text_in_the_html_body_is_escaped_by_the_template(make_order, alice, olivia):
    order = make_order("shop", title='<script>alert("x")</script>')
    order = transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    rendered = render(Notification.objects.get(order=order, contact=alice, template="status_changed"))

    assert '<script>alert("x")</script>' in rendered.text
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
