"""Rendering a batch of messages with what `preload` fetched gives the same messages as rendering each
alone, in four queries for the whole batch; without a batch, one message costs a bounded few queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from orderflow.accounts.actions import add_contact
from orderflow.core.actors import Actor
from orderflow.notifications.actions import save_template
from orderflow.notifications.models import Notification
from orderflow.notifications.render import preload, render
from orderflow.orders.actions import LineInput, transition_order


def _comparable(rendered):
    # Links are compared apart (the grants' tests say they are written the same again).
    return (
        rendered.subject,
        rendered.text.split("http")[0],
        rendered.short.split("http")[0],
        rendered.headers,
    )


def _status_messages():
    return list(
        Notification.objects.filter(template="status_changed")
        .select_related("event", "rule", "seller")
        .order_by("pk")
    )


def test_a_preloaded_batch_renders_the_same_messages_in_two_queries(
    make_order, corner_bar, alice, bruno, olivia, acme
):
    # Given status messages to an English and a French contact, one order without prices, and a
    # seller's own French wording
    save_template(
        acme,
        key="status_changed",
        locale="fr",
        actor=Actor.staff(olivia),
        subject="Commande {{ order_number }} : {{ status }}",
        body="Bonjour {{ recipient_name }}, total {{ total }}.",
        sms="{{ status }}",
    )
    orders = [
        make_order("shop"),
        make_order("shop", contact=bruno),
        make_order(
            "shop", contact=bruno, lines=[LineInput("Ice", "2.5", None), LineInput("Gin", "1", "9.99")]
        ),
    ]
    for order in orders:
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
    one_by_one = [_comparable(render(n)) for n in _status_messages()]

    # When the same messages are rendered with a batch preloaded for them
    notifications = _status_messages()
    with CaptureQueriesContext(connection) as queries:
        batch = preload(notifications)
        together = [_comparable(render(n, batch=batch)) for n in notifications]

    # Then they are the same messages, and the batch cost five queries: the orders, their lines (for the
    # totals with taxes), the wording, and the grants of the links (made where missing, then read)
    assert together == one_by_one
    assert len(queries.captured_queries) == 5
    assert "total 9,99\xa0$\xa0US." in together[2][1]  # money as Bruno reads it, in French


def test_a_message_outside_the_batch_is_still_rendered(make_order, corner_bar, olivia):
    # Given a batch preloaded before another contact's message existed
    transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
    batch = preload(_status_messages())
    carla = add_contact(corner_bar, name="Carla Diaz", email="carla@cornerbar.example")
    transition_order(make_order("shop", contact=carla), to="in_preparation", actor=Actor.staff(olivia))
    later = Notification.objects.get(contact=carla, template="status_changed")

    # When it is rendered with that batch, its order and wording are fetched for it
    with CaptureQueriesContext(connection) as queries:
        rendered = render(later, batch=batch)

    # Then it is complete, at the cost of one message rendered alone (its links' grants included)
    assert rendered.subject.startswith("Order #2")
    assert "Hello Carla Diaz" in rendered.text
    assert len(queries.captured_queries) <= 5
