"""Call tasks: customers who prefer a call, with the script; staff mark them done with an outcome."""

from __future__ import annotations

import pytest
import time_machine

from orderflow.accounts.actions import add_contact
from orderflow.core.actors import Actor
from orderflow.notifications.models import CallTask
from orderflow.orders.actions import assign_order, transition_order
from orderflow.web.tests.conftest import DAYTIME, run_worker, seller_url

CALLS = seller_url("calls")


@pytest.fixture
def carl(corner_bar):
    return add_contact(corner_bar, name="Carl Caller", phone="+12125550199", preferred_channels=["call"])


@pytest.fixture
def task(make_order, carl, olivia, sam):
    """Carl's order, assigned to Sam, goes into preparation: Sam gets a call to make."""
    with time_machine.travel(DAYTIME, tick=False):
        order = make_order("shop", contact=carl, title="Cake for Carl")
        order = assign_order(order, assignee=sam, actor=Actor.staff(olivia))
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia), note="Ready by 5pm")
        run_worker()
    return CallTask.objects.get()


def test_open_calls_show_the_contact_phone_order_and_script(as_olivia, task):
    page = as_olivia.get(CALLS).content.decode()

    assert "Call Carl Caller on" in page
    assert 'href="tel:+12125550199"' in page
    order_link = seller_url("order_detail", number=task.order.number)
    assert f'href="{order_link}">order #{task.order.number} Cake for Carl</a>' in page
    assert "assigned to Sam" in page
    assert "Call Carl Caller on +12125550199 and tell them:" in page  # the script
    assert "Ready by 5pm" in page


def test_mine_shows_only_calls_assigned_to_me(client, task, olivia, sam):
    client.force_login(sam.user)
    assert "Call Carl Caller" in client.get(CALLS, {"show": "mine"}).content.decode()
    client.force_login(olivia.user)
    mine = client.get(CALLS, {"show": "mine"}).content.decode()
    assert "Call Carl Caller" not in mine
    assert "No calls to make assigned to you." in mine
    assert "Call Carl Caller" in client.get(CALLS).content.decode()


def test_completing_a_call_records_the_outcome(client, task, sam):
    client.force_login(sam.user)

    response = client.post(
        seller_url("call_done", task_id=task.pk), {"outcome": "Carl will come at 6pm."}, follow=True
    )

    task.refresh_from_db()
    page = response.content.decode()
    assert (task.outcome, task.done_by) == ("Carl will come at 6pm.", sam)
    assert task.done_at is not None
    assert "Call to Carl Caller marked done." in page
    assert "No calls to make." in page
    assert "Recently done" in page
    assert "Carl will come at 6pm." in page


def test_a_call_without_an_outcome_is_not_done(as_olivia, task):
    response = as_olivia.post(seller_url("call_done", task_id=task.pk), {"outcome": "  "})

    assert response.status_code == 400
    assert "Say how the call went." in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None


def test_a_call_cannot_be_done_twice(as_olivia, task):
    as_olivia.post(seller_url("call_done", task_id=task.pk), {"outcome": "Reached him"})

    response = as_olivia.post(seller_url("call_done", task_id=task.pk), {"outcome": "Again"})

    assert "This call is already marked done." in response.content.decode()
    task.refresh_from_db()
    assert task.outcome == "Reached him"


def test_an_overlong_outcome_is_refused_and_kept(as_olivia, task):
    response = as_olivia.post(seller_url("call_done", task_id=task.pk), {"outcome": "x" * 2001})

    assert response.status_code == 400
    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None


def test_the_calls_page_takes_as_many_queries_for_many_calls_as_for_few(
    as_olivia, make_order, carl, olivia, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def call_about_a_new_order():
        order = make_order("shop", contact=carl)
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))

    with time_machine.travel(DAYTIME, tick=False):
        call_about_a_new_order()
        run_worker()
        with CaptureQueriesContext(connection) as captured:
            assert as_olivia.get(CALLS).status_code == 200
        for _ in range(6):
            call_about_a_new_order()
        run_worker()
    assert CallTask.objects.count() == 7
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert as_olivia.get(CALLS).status_code == 200
