"""The outbox: the seller's deliveries with filters and pages, and sandbox copies read safely."""

from __future__ import annotations

import re

import pytest
import time_machine

from orderflow.core.actors import Actor
from orderflow.notifications.models import Delivery, NotificationRule, SandboxMessage
from orderflow.orders.actions import transition_order
from orderflow.web.tests.conftest import DAYTIME, run_worker, seller_url
from orderflow.web.views import outbox as outbox_views

OUTBOX = seller_url("outbox")


def rows(response) -> list[int]:
    """The delivery ids listed, top to bottom (from the hidden link text of each Read link, or the id
    in the row's order link when there is no copy)."""
    return [int(n) for n in re.findall(r"delivery #(\d+)\)</span></a>", response.content.decode())]


@pytest.fixture
def worked(sandbox, make_order, olivia):
    """Two shop orders moved in the afternoon and sent by the worker (sandbox copies kept)."""
    with time_machine.travel(DAYTIME, tick=False):
        first = transition_order(
            make_order("shop", title="Birthday cake"), to="in_preparation", actor=Actor.staff(olivia)
        )
        second = transition_order(
            make_order("shop", title="Bread"), to="in_preparation", actor=Actor.staff(olivia)
        )
        run_worker()
    return first, second


def test_the_outbox_lists_each_delivery_with_its_order_recipient_and_status(as_olivia, worked):
    first, _ = worked

    page = as_olivia.get(OUTBOX).content.decode()

    assert "Outbox" in page
    assert f'href="{seller_url("order_detail", number=first.number)}">#{first.number}</a>' in page
    assert "Alice Martin" in page
    assert "alice@cornerbar.example" in page
    assert '<span class="dstatus dstatus-sent">sent</span>' in page
    assert '<span class="dstatus dstatus-failed">failed</span>' in page  # Olivia's email: no address


def test_newest_first_and_filters_by_status_channel_and_order(as_olivia, worked):
    first, _ = worked
    copies = list(SandboxMessage.objects.order_by("delivery_id").values_list("delivery_id", flat=True))

    assert rows(as_olivia.get(OUTBOX)) == sorted(copies, reverse=True)
    emails = rows(as_olivia.get(OUTBOX, {"channel": "email", "status": "sent", "order": first.number}))
    assert emails == [Delivery.objects.get(notification__order=first, channel="email", status="sent").pk]
    page = as_olivia.get(OUTBOX, {"status": "failed"}).content.decode()
    assert '<span class="dstatus dstatus-sent">' not in page
    assert '<span class="dstatus dstatus-failed">failed</span>' in page
    assert rows(as_olivia.get(OUTBOX, {"channel": "sms"})) == []
    assert "No deliveries match these filters." in as_olivia.get(OUTBOX, {"channel": "sms"}).content.decode()


def test_unknown_filter_values_are_reported_and_ignored(as_olivia, worked):
    response = as_olivia.get(OUTBOX, {"status": "lost", "channel": "pigeon", "order": "first", "page": "x"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Some filters were not understood and were ignored" in page
    assert "Status: Select a valid choice" in page
    assert "Channel: Select a valid choice" in page
    assert "Order number: Enter a whole number." in page
    assert len(rows(response)) == SandboxMessage.objects.count()


def test_the_outbox_is_paged(as_olivia, worked, monkeypatch):
    monkeypatch.setattr(outbox_views, "PAGE_SIZE", 2)

    first_page = as_olivia.get(OUTBOX).content.decode()
    total = Delivery.objects.count()

    assert f"Page 1 of {(total + 1) // 2}" in first_page
    assert 'rel="next"' in first_page


def test_the_outbox_takes_as_many_queries_for_many_rows_as_for_few(
    as_olivia, sandbox, make_order, olivia, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(DAYTIME, tick=False):
        transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
        run_worker()
        with CaptureQueriesContext(connection) as captured:
            assert as_olivia.get(OUTBOX).status_code == 200
        for _ in range(8):
            transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
        run_worker()
    assert Delivery.objects.count() > 20
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert as_olivia.get(OUTBOX).status_code == 200


def test_a_sandbox_email_reads_as_received_with_its_headers(as_olivia, sandbox, make_order, olivia, alice):
    # Given the ready-for-pickup rule carries an offer, so the email has an unsubscribe header
    NotificationRule.objects.filter(state="in_preparation").update(upsell="Add a card for 2 USD.")
    with time_machine.travel(DAYTIME, tick=False):
        order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
        run_worker()
    copy = SandboxMessage.objects.get(delivery__notification__order=order, to=alice.email)

    response = as_olivia.get(seller_url("outbox_message", delivery_id=copy.delivery_id))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>Order #{order.number}: {order.current_state.customer_label()}</h1>" in page
    assert "alice@cornerbar.example" in page
    assert "Message-ID" in page
    assert f"&lt;delivery-{copy.delivery_id}@" in page
    assert "List-Unsubscribe" in page
    assert "List-Unsubscribe-Post" in page
    assert "Add a card for 2 USD." in page
    assert f'href="{seller_url("order_detail", number=order.number)}"' in page


def test_the_html_version_is_shown_in_a_sandboxed_frame_never_as_markup(
    as_olivia, sandbox, make_order, olivia
):
    with time_machine.travel(DAYTIME, tick=False):
        order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
        run_worker()
    copy = SandboxMessage.objects.get(delivery__notification__order=order, channel="email")
    # Given a message whose text and HTML would run a script if they reached the page as markup (a
    # seller's template or a customer's note can put anything there)
    hostile = "<script>alert('x')</script>"
    SandboxMessage.objects.filter(pk=copy.pk).update(body=f"Hi {hostile}", html=f'<p>Hi</p>{hostile}"')

    page = as_olivia.get(seller_url("outbox_message", delivery_id=copy.delivery_id)).content.decode()

    assert "<script>" not in page
    assert "Hi &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page  # the text version, escaped
    frame = re.search(r"<iframe[^>]*>", page)
    assert frame, "the HTML version is in an iframe"
    assert " sandbox " in frame.group(0)  # no allow-scripts, no allow-same-origin
    assert (
        'srcdoc="&lt;p&gt;Hi&lt;/p&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;"'
        in frame.group(0)
    )


def test_a_delivery_without_a_sandbox_copy_has_no_message_page(as_olivia, worked, olivia):
    in_app = Delivery.objects.filter(channel="in_app", notification__membership=olivia).first()

    assert as_olivia.get(seller_url("outbox_message", delivery_id=in_app.pk)).status_code == 404
    assert as_olivia.get(seller_url("outbox_message", delivery_id=999999)).status_code == 404
