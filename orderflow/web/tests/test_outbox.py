"""The outbox: the seller's deliveries with filters and pages, and sandbox copies read safely."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from orderflow.core.actors import Actor
from orderflow.notifications.models import Delivery, NotificationRule, SandboxMessage
from orderflow.orders.actions import LineInput, place_order, transition_order
from orderflow.web.tests.conftest import DAYTIME, run_worker, seller_url
from orderflow.web.views import outbox as outbox_views

OUTBOX = seller_url("outbox")


def rows(response) -> list[int]:
    """The delivery ids listed, top to bottom (from the hidden link text of each row's Read or Preview
    link: every delivery's message opens)."""
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
    every = list(Delivery.objects.values_list("pk", flat=True))

    assert rows(as_olivia.get(OUTBOX)) == sorted(every, reverse=True)
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
    assert len(rows(response)) == Delivery.objects.count()


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


def test_an_in_app_item_opens_as_its_reader_sees_it_with_links(as_olivia, worked, olivia):
    in_app = Delivery.objects.filter(channel="in_app", notification__membership=olivia).first()

    page = as_olivia.get(seller_url("outbox_message", delivery_id=in_app.pk)).content.decode()

    assert 'data-kind="inbox"' in page
    assert f'rel="nofollow">{settings.SITE_URL}/s/acme/orders/' in page  # its address is a link
    assert as_olivia.get(seller_url("outbox_message", delivery_id=999999)).status_code == 404


NIGHT = dt.datetime(2026, 6, 10, 3, 0, tzinfo=ZoneInfo("America/New_York"))


def test_a_held_message_opens_as_a_preview_with_its_secret_address_masked(
    as_olivia, order_types, corner_bar, olivia
):
    # Given a contact who reads a messenger whose URL carries a bot token, told at night: held till morning
    from orderflow.accounts.actions import add_contact

    dora = add_contact(
        corner_bar, name="Dora", email="dora@cornerbar.example", time_zone="America/New_York",
        messenger_url="tgram://123456789:SECRETBOTTOKEN/987654", preferred_channels=["messenger"],
    )  # fmt: skip
    with time_machine.travel(NIGHT, tick=False):
        order = place_order(
            corner_bar, order_type=order_types["shop"], actor=Actor.customer(dora), title="Night cake",
            lines=[LineInput("Cake", 1, "30")],
        )  # fmt: skip
        transition_order(order, to="in_preparation", actor=Actor.staff(olivia))
        held = Delivery.objects.filter(channel="messenger", status="pending").first()
        assert held is not None
        assert held.due_at > NIGHT

        # Then the outbox lists it, masked, and its message opens as a preview, masked too
        listing = as_olivia.get(OUTBOX).content.decode()
        page = as_olivia.get(seller_url("outbox_message", delivery_id=held.pk)).content.decode()
    assert "SECRETBOTTOKEN" not in listing
    assert "tgram://…" in listing
    assert 'data-kind="preview"' in page
    assert f"/s/acme/orders/{order.number}/" in page  # the staff page, never a customer's link
    assert "SECRETBOTTOKEN" not in page
    assert not SandboxMessage.objects.filter(delivery=held).exists()  # nothing was sent or kept


def test_a_failed_messenger_send_shows_its_error_without_the_token(as_olivia, worked):
    delivery = Delivery.objects.first()
    Delivery.objects.filter(pk=delivery.pk).update(
        status="failed", error="The service did not accept tgram://123456789:SECRETBOTTOKEN/987654: 401"
    )
    page = as_olivia.get(OUTBOX).content.decode()
    assert "SECRETBOTTOKEN" not in page
    assert "tgram://…" in page
