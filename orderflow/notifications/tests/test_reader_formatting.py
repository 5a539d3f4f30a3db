"""Messages write money and dates as their recipient reads them: the worker renders each one in its
recipient's language and time zone (a contact's own; staff, their seller's), whoever runs it."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.utils import timezone, translation

from orderflow.core import formatting
from orderflow.core.actors import Actor
from orderflow.notifications import render as render_module
from orderflow.notifications.actions import save_template
from orderflow.notifications.models import Notification, SandboxMessage
from orderflow.notifications.render import render
from orderflow.orders.actions import refund_order, set_estimated_completion, transition_order
from orderflow.orders.models import EventType
from orderflow.web.tests.conftest import run_worker
from orderflow.web.tests.test_reader_formatting import ISO_DATE

AFTERNOON = dt.datetime(2026, 12, 3, 19, 5, tzinfo=dt.UTC)  # 14 h 05 in Toronto: within delivery hours


@pytest.fixture
def sandbox(settings):
    settings.NOTIFICATIONS_SANDBOX = True


def test_a_french_contacts_refund_email_and_sms_carry_french_money(sandbox, maple_order, chloe, manon):
    with time_machine.travel(AFTERNOON, tick=False):
        refund_order(maple_order, amount="7.25", reason="Bouteille cassée", actor=Actor.staff(chloe))
        run_worker()

    email = SandboxMessage.objects.get(to=manon.email)
    sms = SandboxMessage.objects.get(to=manon.phone)
    for text in (email.subject + "\n" + email.body, email.html, sms.body):
        assert "7,25\xa0$\xa0CA" in text, text
        assert "CAD" not in text
        assert "7.25" not in text


def test_a_french_contacts_status_message_dates_the_estimate_the_french_way(
    sandbox, maple_order, chloe, manon
):
    with time_machine.travel(AFTERNOON, tick=False):
        set_estimated_completion(maple_order, date=dt.date(2026, 12, 5), actor=Actor.staff(chloe))
        transition_order(maple_order, to="in_preparation", actor=Actor.staff(chloe))
        run_worker()

    email = SandboxMessage.objects.get(to=manon.email, subject__contains="ommande")
    assert "Date prévue : 5 déc. 2026." in email.body
    assert not ISO_DATE.search(email.body), ISO_DATE.search(email.body)


def test_a_message_is_rendered_in_its_recipients_language_and_zone_whoever_renders_it(
    maple_order, chloe, manon, monkeypatch
):
    # Given a refund message to Manon (French, Toronto's zone)
    refund_order(maple_order, amount="7.25", reason="Sac déchiré", actor=Actor.staff(chloe))
    notification = Notification.objects.get(contact=manon, event__type=EventType.REFUNDED)
    seen = []
    context_for = render_module.context_for

    def spying(*args, **kwargs):
        seen.append((translation.get_language(), timezone.get_current_timezone_name()))
        return context_for(*args, **kwargs)

    monkeypatch.setattr(render_module, "context_for", spying)

    # When something running in English and in Tokyo's zone renders it
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        rendered = render(notification)
        after = (translation.get_language(), timezone.get_current_timezone_name())

    # Then it was written in French and Toronto's zone, and the caller's are back
    assert seen == [("fr", "America/Toronto")]
    assert after == ("en", "Asia/Tokyo")
    assert formatting.money("7.25", "CAD", "fr") in rendered.short


def test_a_sellers_wording_that_wrote_the_code_after_an_amount_writes_it_once(erabliere, chloe):
    # Given Chloé's wording from before amounts carried their currency
    template = save_template(
        erabliere,
        key="order_refunded",
        locale="fr",
        actor=Actor.staff(chloe),
        subject="Remboursement de {{refund_amount}} {{ currency }}",
        body="Nous avons remboursé {{ refund_amount }} {{currency}} sur {{ total }} {{ currency }}.",
        sms="{{ refund_amount }}",
    )

    # When the data migration runs
    migration = importlib.import_module(
        "orderflow.notifications.migrations.0008_amounts_carry_their_currency"
    )
    migration.drop_the_code_after_amounts(django_apps, None)

    # Then each amount is written once, with its currency
    template.refresh_from_db()
    assert template.subject == "Remboursement de {{ refund_amount }}"
    assert template.body == "Nous avons remboursé {{ refund_amount }} sur {{ total }}."
    assert template.sms == "{{ refund_amount }}"
