"""The in-app inbox: each staff member's own notifications, the unread badge, and marking read."""

from __future__ import annotations

import re

import pytest
import time_machine

from orderflow.notifications.models import InboxItem
from orderflow.web.tests.conftest import DAYTIME, run_worker, seller_url

INBOX = seller_url("inbox")
READ = seller_url("inbox_read")


def badge(response) -> int:
    match = re.search(r'data-testid="inbox-count">(\d+)<', response.content.decode())
    assert match, "the nav shows the inbox badge"
    return int(match.group(1))


@pytest.fixture
def new_orders(make_order, olivia, sam):
    """Two new shop orders: each tells every staff member in-app."""
    with time_machine.travel(DAYTIME, tick=False):
        orders = [make_order("shop", title="Birthday cake"), make_order("shop", title="Bread")]
        run_worker()
    return orders


def test_the_badge_counts_unread_items_and_the_inbox_lists_them(as_olivia, new_orders, olivia):
    response = as_olivia.get(INBOX)

    page = response.content.decode()
    assert badge(response) == 2
    assert badge(as_olivia.get(seller_url("dashboard"))) == 2  # on every page
    assert "New order #2 from Corner Bar" in page
    assert "New order #1 from Corner Bar" in page
    assert page.index("New order #2") < page.index("New order #1")  # newest first
    assert f'href="{seller_url("order_detail", number=1)}">Order #1</a>' in page


def test_marking_one_item_read_leaves_the_others_unread(as_olivia, new_orders, olivia):
    first = InboxItem.objects.filter(membership=olivia).order_by("pk").first()

    response = as_olivia.post(READ, {"item": first.pk}, follow=True)

    first.refresh_from_db()
    assert first.read_at is not None
    assert "1 message marked as read." in response.content.decode()
    assert badge(response) == 1
    assert InboxItem.objects.filter(membership=olivia, read_at__isnull=True).count() == 1


def test_mark_all_read_only_marks_ones_own_items(as_olivia, new_orders, olivia, sam):
    response = as_olivia.post(READ, {"all": "on"}, follow=True)

    assert "2 messages marked as read." in response.content.decode()
    assert badge(response) == 0
    assert not InboxItem.objects.filter(membership=olivia, read_at__isnull=True).exists()
    assert InboxItem.objects.filter(membership=sam, read_at__isnull=True).count() == 2


def test_someone_elses_item_cannot_be_marked_read(as_olivia, new_orders, sam):
    sams = InboxItem.objects.filter(membership=sam).first()

    assert as_olivia.post(READ, {"item": sams.pk}).status_code == 404
    sams.refresh_from_db()
    assert sams.read_at is None


def test_another_members_inbox_is_not_shown(client, new_orders, sam, olivia):
    # Sam marks his read; Olivia's are still unread on her page
    client.force_login(sam.user)
    client.post(READ, {"all": "on"})
    client.force_login(olivia.user)

    assert badge(client.get(INBOX)) == 2


def test_a_read_without_a_choice_is_explained(as_olivia, new_orders):
    response = as_olivia.post(READ, {}, follow=True)

    assert "Choose a message to mark as read." in response.content.decode()


def test_the_inbox_takes_as_many_queries_for_many_items_as_for_few(
    as_olivia, make_order, olivia, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(DAYTIME, tick=False):
        make_order("shop")
        run_worker()
        with CaptureQueriesContext(connection) as captured:
            assert as_olivia.get(INBOX).status_code == 200
        for _ in range(12):
            make_order("distributor")
        run_worker()
    assert InboxItem.objects.filter(membership=olivia).count() == 13
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert as_olivia.get(INBOX).status_code == 200
