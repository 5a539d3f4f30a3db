"""The first-visit question: a contact who never said how and when to be told is asked above their
orders, until they answer (or put it off for the session)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orderflow.accounts.actions import create_portal_login, update_contact
from orderflow.accounts.models import CustomerEvent
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.notifications.models import DeliverySchedule


@pytest.fixture
def as_alice(client, alice):
    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    client.force_login(alice.user)
    return client


def _asked(client) -> bool:
    return 'data-testid="reach-question"' in client.get(reverse("portal_orders")).content.decode()


def test_the_contact_is_asked_until_they_answer(as_alice, alice):
    assert _asked(as_alice)
    response = as_alice.post(
        reverse("portal_reach"),
        {"reach-channels": ["sms", "email"], "reach-day_0": "08:00-18:00", "reach-day_5": "10:00-12:00"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.preferred_channels == ["sms", "email"]
    assert DeliverySchedule.objects.get(contact=alice).schedule["5"] == [[600, 720]]
    assert CustomerEvent.objects.filter(contact=alice, type="reach_answered").exists()
    assert not _asked(as_alice)


def test_a_bad_answer_is_shown_and_saves_nothing(as_alice, alice):
    response = as_alice.post(reverse("portal_reach"), {"reach-channels": [], "reach-use_seller_hours": "on"})
    assert response.status_code == 400
    assert "channels" in response.context["reach_form"].errors
    response = as_alice.post(reverse("portal_reach"), {"reach-channels": ["email"], "reach-day_2": "noon"})
    assert response.status_code == 400
    assert "day_2" in response.context["reach_form"].errors
    alice.refresh_from_db()
    assert alice.reach_answered_at is None
    assert not DeliverySchedule.objects.filter(contact=alice).exists()


def test_later_puts_the_question_off_for_the_session(as_alice, alice):
    as_alice.post(reverse("portal_reach"), {"later": "1"})
    assert not _asked(as_alice)
    alice.refresh_from_db()
    assert alice.reach_answered_at is None


def test_a_contact_whose_hours_staff_recorded_is_not_asked(as_alice, alice, olivia):
    update_contact(alice, hours={"Monday": "09:00-12:00"}, actor=Actor.staff(olivia))
    assert not _asked(as_alice)
