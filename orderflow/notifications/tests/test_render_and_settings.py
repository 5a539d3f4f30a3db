from __future__ import annotations

import pytest

from orderflow.accounts.actions import add_contact
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.actions import (
    mark_all_inbox_read,
    reset_template,
    save_template,
    set_preference,
    update_settings,
)
from orderflow.notifications.models import Category, InboxItem, MessageTemplate, Notification
from orderflow.notifications.render import render
from orderflow.notifications.worker import Worker
from orderflow.orders.actions import transition_order


def test_plain_text_is_not_html_escaped_and_html_is_escaped_once(make_order, corner_bar, olivia):
    oneill = add_contact(corner_bar, name="Michael O'Neill", email="michael@cornerbar.example")
    order = make_order("shop", contact=oneill, title="Fish & chips <large>")
    order = transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    rendered = render(Notification.objects.get(order=order, contact=oneill, template="status_changed"))
    assert "Hello Michael O'Neill" in rendered.text
    assert "(Fish & chips <large>)" in rendered.text
    assert "Michael O&#x27;Neill" in rendered.html
    assert "&amp;amp;" not in rendered.html
    assert "Notification settings" not in rendered.body


def test_seller_hours_with_no_time_at_all_are_refused(acme, olivia):
    with pytest.raises(ActionError, match="at least one time"):
        update_settings(acme, default_window={str(day): [] for day in range(7)}, actor=Actor.staff(olivia))
    with pytest.raises(ActionError, match="not a span"):
        update_settings(acme, default_window={"0": [[600]]}, actor=Actor.staff(olivia))


def test_staff_cannot_choose_channels_only_customers_have(sam):
    with pytest.raises(ActionError, match="email, SMS or in the app"):
        set_preference(
            sam, category=Category.NEW_ORDERS, enabled=True, channels=["messenger"], actor=Actor.staff(sam)
        )


def test_a_seller_can_go_back_to_the_default_wording(acme, olivia):
    save_template(
        acme,
        key="status_changed",
        locale="en",
        actor=Actor.staff(olivia),
        subject="Update",
        body="Now {{ status }}",
        sms="Now {{ status }}",
    )
    reset_template(acme, key="status_changed", locale="en", actor=Actor.staff(olivia))
    assert not MessageTemplate.objects.exists()


def test_a_bad_template_is_refused_naming_the_placeholder(acme, olivia):
    with pytest.raises(ActionError, match=r"Unknown placeholder.*client_name"):
        save_template(
            acme,
            key="status_changed",
            locale="en",
            actor=Actor.staff(olivia),
            subject="Hi",
            body="Dear {{ client_name }}",
            sms="x",
        )
    with pytest.raises(ActionError, match="syntax error"):
        save_template(
            acme,
            key="status_changed",
            locale="en",
            actor=Actor.staff(olivia),
            subject="Hi",
            body="{% if status %}open",
            sms="x",
        )
    assert not MessageTemplate.objects.exists()


def test_mark_all_read_touches_only_the_actors_inbox(make_order, olivia, sam):
    make_order("distributor")  # tells Olivia and Sam in the app
    Worker().run_once()
    assert mark_all_inbox_read(actor=Actor.staff(olivia)) == 1
    assert InboxItem.objects.filter(membership=sam, read_at__isnull=True).count() == 1
