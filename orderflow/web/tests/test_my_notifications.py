"""A staff member's own notification preferences and delivery hours."""

from __future__ import annotations

import re

from orderflow.core.actors import Actor
from orderflow.notifications.actions import set_schedule
from orderflow.notifications.models import DeliverySchedule, Preference
from orderflow.web.tests.conftest import seller_url

ME = seller_url("my_notifications")
CATEGORIES = [
    "new_orders",
    "order_updates",
    "messages",
    "assignments",
    "transactional",
    "feedback",
    "marketing",
]


def payload(**changes):
    """The form as shown to someone with no choices yet: every category on, nothing ticked, any time."""
    data: dict[str, object] = {f"{c}_on": "on" for c in CATEGORIES}
    data.update({f"day_{index}": "" for index in range(7)})
    data["hours"] = "any"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def row(page: str, category: str) -> str:
    match = re.search(rf'<tr data-testid="pref-{category}">(.*?)</tr>', page, re.S)
    assert match, category
    return match.group(1)


def test_the_page_shows_each_category_with_the_channels_used_now(client, sam):
    client.force_login(sam.user)

    page = client.get(ME).content.decode()

    assert "Cancellations and refunds" in page
    transactional = row(page, "transactional")
    assert "always on" in transactional
    assert "disabled" in transactional
    assert "Email, In-app" in row(page, "new_orders")
    assert "the default for staff" in row(page, "new_orders")
    assert "Now: any time." in page


def test_a_member_turns_a_category_off_and_picks_channels(client, sam):
    client.force_login(sam.user)

    response = client.post(ME, payload(new_orders_on=None, order_updates_channels=["in_app"]), follow=True)

    assert "Your notification preferences are saved." in response.content.decode()
    prefs = {p.category: p for p in Preference.objects.filter(membership=sam)}
    assert prefs["new_orders"].enabled is False
    assert prefs["order_updates"].channels == ["in_app"]
    assert "In-app <span>(Sam&#x27;s choice for Order status updates)</span>" in row(
        response.content.decode(), "order_updates"
    )
    assert "off (Sam turned off New orders)" in row(response.content.decode(), "new_orders")


def test_saving_the_defaults_as_shown_keeps_following_the_defaults(client, sam):
    client.force_login(sam.user)
    shown = {f"{c}_channels": ["email", "in_app"] for c in CATEGORIES}

    client.post(ME, payload(**{**shown, "messages_channels": ["email"]}))

    prefs = {p.category: p.channels for p in Preference.objects.filter(membership=sam)}
    assert prefs["new_orders"] == []  # as shown: still the defaults, which grow an SMS with a phone number
    assert prefs["messages"] == ["email"]  # a real choice is kept as made


def test_a_mandatory_category_stays_on_whatever_is_posted(client, sam):
    client.force_login(sam.user)

    client.post(ME, payload(transactional_on=None))

    assert Preference.objects.get(membership=sam, category="transactional").enabled is True


def test_a_member_sets_their_own_hours_then_goes_back_to_any_time(client, sam):
    client.force_login(sam.user)
    weekdays = {f"day_{index}": "08:00-18:00" for index in range(5)}

    response = client.post(ME, payload(hours="own", **weekdays), follow=True)

    schedule = DeliverySchedule.objects.get(membership=sam).schedule
    assert schedule["0"] == [[480, 1080]]
    assert schedule["6"] == []
    assert "Now: Mon 08:00-18:00;" in response.content.decode()

    client.post(ME, payload(hours="any"))
    assert not DeliverySchedule.objects.filter(membership=sam).exists()


def test_unreadable_hours_save_nothing_and_say_which_day(client, sam):
    client.force_login(sam.user)

    response = client.post(
        ME, payload(hours="own", new_orders_on=None, day_0="08:00-18:00", day_2="eight to six")
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Wednesday: &#x27;eight to six&#x27; is not a span such as 09:00-21:00." in page
    assert 'value="eight to six"' in page
    assert not Preference.objects.filter(membership=sam).exists()  # the switch was not saved either
    assert not DeliverySchedule.objects.filter(membership=sam).exists()


def test_own_hours_with_no_time_at_all_are_refused(client, sam):
    client.force_login(sam.user)

    response = client.post(ME, payload(hours="own"))

    assert "Give at least one time when messages may be delivered." in response.content.decode()
    assert not DeliverySchedule.objects.filter(membership=sam).exists()


def test_the_form_shows_ones_current_hours(client, sam):
    set_schedule(sam, {"Monday": "07:30-12:00"}, actor=Actor.staff(sam))
    client.force_login(sam.user)

    page = client.get(ME).content.decode()

    assert 'value="07:30-12:00"' in page
    assert '<input type="radio" name="hours" value="own" required id="id_me_hours_1" checked>' in page
