"""The outbox worker against a real local SMTP server: one step sends, refusals and outages are
recorded and retried on the schedule, leases are taken over safely, claims never overlap, and the
`run_worker` command stops cleanly on SIGTERM."""

from __future__ import annotations

import datetime as dt
import io
import signal
import threading
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orderflow.accounts.actions import add_contact
from orderflow.accounts.models import Seller
from orderflow.core.actors import Actor
from orderflow.notifications.actions import update_settings
from orderflow.notifications.models import (
    Category,
    Channel,
    Delivery,
    DeliveryAttempt,
    MessageTemplate,
    Notification,
    Status,
)
from orderflow.notifications.tests.conftest import wait_for
from orderflow.notifications.worker import Worker
from orderflow.orders.actions import transition_order

NEW_YORK = ZoneInfo("America/New_York")
# A Wednesday afternoon in New York: inside Alice's (the seller's default) delivery hours.
AFTERNOON = dt.datetime(2026, 6, 10, 14, 0, tzinfo=NEW_YORK)
Outcome = DeliveryAttempt.Outcome


@pytest.fixture
def afternoon():
    with time_machine.travel(AFTERNOON, tick=False) as clock:
        yield clock


@pytest.fixture
def carla(corner_bar):
    return add_contact(
        corner_bar, name="Carla Diaz", email="carla@cornerbar.example", time_zone="America/New_York"
    )


def prepare(make_order, olivia, **kwargs):
    """A shop order moved into preparation: the contact gets a status email."""
    return transition_order(make_order("shop", **kwargs), to="in_preparation", actor=Actor.staff(olivia))


def emails(**filters) -> list[Delivery]:
    return list(
        Delivery.objects.filter(channel=Channel.EMAIL, notification__template="status_changed", **filters)
        .select_related("notification")
        .order_by("pk")
    )


def outcomes(delivery: Delivery) -> list[str]:
    return list(delivery.attempt_log.values_list("outcome", flat=True))


def claim_and_start(worker: Worker) -> list[Delivery]:
    """A worker that claims a batch and starts sending each delivery, then stops answering (killed)."""
    claimed = worker.claim()
    for delivery in claimed:
        assert worker._start(delivery)
    return claimed


# -- sending --------------------------------------------------------------------------------------


def test_one_worker_step_sends_a_due_email_to_the_smtp_server(
    afternoon, use_smtp_sink, make_order, olivia, alice, django_capture_on_commit_callbacks
):
    # Given Olivia moves Alice's shop order into preparation during Alice's hours
    with django_capture_on_commit_callbacks(execute=True):
        order = prepare(make_order, olivia)
    [delivery] = emails(notification__contact=alice)
    assert delivery.status == Status.PENDING

    # When the worker takes one step
    Worker().run_once()

    # Then the mail server got the message, with the delivery's Message-ID, written from the template
    received = use_smtp_sink.only()
    message = received.parsed()
    assert received.message_id == delivery.message_id
    assert received.rcpt_tos == ["alice@cornerbar.example"]
    assert message["Subject"] == f"Order #{order.number}: In preparation"
    assert message["From"].addresses[0].display_name == "Acme Supplies"
    assert message["To"] == "alice@cornerbar.example"
    text = received.text()
    assert "Hello Alice Martin," in text
    assert f"Your order #{order.number} (Crate of lemonade) is now: In preparation." in text
    assert message.get_body(preferencelist=("html",)) is not None
    # And the delivery is sent, with one attempt on record
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == (Status.SENT, 1, "")
    assert delivery.sent_at == timezone.now()
    [attempt] = delivery.attempt_log.all()
    assert attempt.outcome == Outcome.SENT
    assert attempt.started_at == timezone.now()
    assert 0 <= attempt.duration_ms < 5000
    assert attempt.worker


def _verify_domains(seller, domains: str) -> None:
    """What the platform's operator does in the admin once the seller's SPF and DKIM records are set."""
    Seller.objects.filter(pk=seller.pk).update(sender_domains=domains)
    seller.refresh_from_db()


def _from_and_reply_to(sink) -> tuple[tuple[str, str], list[str]]:
    message = sink.only().parsed()
    sender = message["From"].addresses[0]
    reply_to = [address.addr_spec for address in message["Reply-To"].addresses] if message["Reply-To"] else []
    return (sender.display_name, sender.addr_spec), reply_to


def test_the_sellers_from_address_is_used_on_a_verified_domain(
    afternoon, use_smtp_sink, make_order, olivia, acme
):
    _verify_domains(acme, "acme.example")
    update_settings(acme, email_from="shop@acme.example", actor=Actor.staff(olivia))
    prepare(make_order, olivia)
    Worker().run_once()
    assert _from_and_reply_to(use_smtp_sink) == (("Acme Supplies", "shop@acme.example"), [])


def test_without_a_verified_domain_mail_is_from_the_platform_with_the_sellers_reply_to(
    afternoon, use_smtp_sink, make_order, olivia, acme, settings
):
    settings.DEFAULT_FROM_EMAIL = "Orderflow <orders@platform.example>"
    update_settings(acme, reply_to="desk@acme-mail.example", actor=Actor.staff(olivia))
    prepare(make_order, olivia)
    Worker().run_once()
    assert _from_and_reply_to(use_smtp_sink) == (
        ("Acme Supplies", "orders@platform.example"),
        ["desk@acme-mail.example"],
    )


def test_a_from_whose_domain_was_withdrawn_becomes_the_reply_to(
    afternoon, use_smtp_sink, make_order, olivia, acme, settings
):
    # Given a From on a verified domain, which the operator then withdraws
    settings.DEFAULT_FROM_EMAIL = "orders@platform.example"
    _verify_domains(acme, "acme.example")
    update_settings(acme, email_from="shop@acme.example", actor=Actor.staff(olivia))
    _verify_domains(acme, "")
    # When a message is sent
    prepare(make_order, olivia)
    Worker().run_once()
    # Then it leaves From the platform, and replies still reach the seller
    assert _from_and_reply_to(use_smtp_sink) == (
        ("Acme Supplies", "orders@platform.example"),
        ["shop@acme.example"],
    )


def test_a_batch_of_emails_shares_one_smtp_connection(afternoon, use_smtp_sink, make_order, olivia, alice):
    for _ in range(5):
        prepare(make_order, olivia)
    deliveries = emails(notification__contact=alice)

    Worker(batch_size=50).run_once()

    assert sorted(use_smtp_sink.ids()) == sorted(d.message_id for d in deliveries)
    assert use_smtp_sink.connections == 1
    assert Delivery.objects.filter(channel=Channel.EMAIL, status=Status.SENT).count() == 5


# -- refusals and outages -------------------------------------------------------------------------


def test_a_recipient_refused_with_550_fails_at_once_and_the_batch_goes_on(
    afternoon, use_smtp_sink, make_order, olivia, alice, carla
):
    # Given the server does not know Alice's mailbox, and Carla also has an email due after hers
    use_smtp_sink.refuse[alice.email] = "550 5.1.1 <alice@cornerbar.example>: no such mailbox"
    prepare(make_order, olivia)
    prepare(make_order, olivia, contact=carla)

    Worker().run_once()

    # Then Alice's delivery failed for good, saying who was refused and what the server said
    [to_alice] = emails(notification__contact=alice)
    assert to_alice.status == Status.FAILED
    assert to_alice.error == (
        "The mail server refused alice@cornerbar.example: "
        "550 5.1.1 <alice@cornerbar.example>: no such mailbox"
    )
    assert outcomes(to_alice) == [Outcome.FAILED]
    # And Carla's went out on the same connection
    [to_carla] = emails(notification__contact=carla)
    assert to_carla.status == Status.SENT
    assert use_smtp_sink.only().message_id == to_carla.message_id
    assert use_smtp_sink.connections == 1


def test_a_451_answer_is_retried_five_seconds_later(afternoon, use_smtp_sink, make_order, olivia, alice):
    use_smtp_sink.refuse[alice.email] = "451 4.7.1 Greylisted, please try again later"
    prepare(make_order, olivia)

    Worker().run_once()

    [delivery] = emails(notification__contact=alice)
    assert delivery.status == Status.PENDING
    assert delivery.due_at == timezone.now() + dt.timedelta(seconds=5)
    assert delivery.lease_until is None
    assert "451 4.7.1 Greylisted" in delivery.error
    assert outcomes(delivery) == [Outcome.RETRY]
    assert use_smtp_sink.count() == 0


def test_transient_failures_follow_the_retry_schedule_then_give_up(
    afternoon, use_smtp_sink, make_order, olivia, alice
):
    # Given the server keeps answering 451 for Alice
    use_smtp_sink.refuse[alice.email] = "451 4.3.0 Mailbox temporarily unavailable"
    prepare(make_order, olivia)
    [delivery] = emails(notification__contact=alice)
    start = timezone.now()

    # When the worker tries at each due time (and, a second before, finds nothing to do)
    expected = [0, 5, 5 + 300, 305 + 1800, 2105 + 7200, 9305 + 18000, 27305 + 36000, 63305 + 36000]
    for offset in expected:
        if offset:
            afternoon.move_to(start + dt.timedelta(seconds=offset - 1))
            assert Worker().run_once() == 0
            afternoon.move_to(start + dt.timedelta(seconds=offset))
        assert Worker().run_once() >= 1

    # Then there were eight attempts at +0, +5 s, +5 min, +30 min, +2 h, +5 h, +10 h, +10 h
    delivery.refresh_from_db()
    attempts = list(delivery.attempt_log.all())
    assert [int((a.started_at - start).total_seconds()) for a in attempts] == expected
    assert [a.outcome for a in attempts] == [Outcome.RETRY] * 7 + [Outcome.FAILED]
    # And then it failed for good, saying why
    assert delivery.status == Status.FAILED
    assert delivery.attempts == 8
    assert delivery.error.endswith("451 4.3.0 Mailbox temporarily unavailable Gave up after 8 attempts.")
    afternoon.move_to(start + dt.timedelta(days=30))
    assert Worker().run_once() == 0


def test_a_mail_server_that_is_down_is_a_transient_failure_with_a_reason(
    afternoon, use_smtp_sink, settings, closed_port, make_order, olivia, alice
):
    settings.EMAIL_PORT = closed_port
    for _ in range(3):
        prepare(make_order, olivia)

    Worker().run_once()

    deliveries = emails(notification__contact=alice)
    assert {d.status for d in deliveries} == {Status.PENDING}
    for delivery in deliveries:
        assert delivery.error.startswith("The mail server could not be reached: ")
        assert "Connection refused" in delivery.error
        assert delivery.due_at == timezone.now() + dt.timedelta(seconds=5)
        assert outcomes(delivery) == [Outcome.RETRY]

    # When the server is back, the retry goes out
    settings.EMAIL_PORT = use_smtp_sink.port
    afternoon.shift(5)
    Worker().run_once()
    assert use_smtp_sink.count() == 3
    assert {d.status for d in emails(notification__contact=alice)} == {Status.SENT}


def test_a_stored_template_with_an_unknown_placeholder_fails_naming_it(
    afternoon, use_smtp_sink, make_order, olivia, alice, acme
):
    # Given a broken override already in the database (save_template would have refused it)
    MessageTemplate.objects.create(
        seller=acme,
        key="status_changed",
        locale="en",
        subject="Order {{ order_number }}",
        body="Hello {{ nickname }}, your order is {{ status }}.",
        sms="{{ status }}",
    )
    prepare(make_order, olivia)

    Worker().run_once()

    [delivery] = emails(notification__contact=alice)
    assert delivery.status == Status.FAILED
    assert delivery.error.startswith("The message could not be written: Unknown placeholder(s): nickname.")
    assert outcomes(delivery) == [Outcome.FAILED]
    assert use_smtp_sink.count() == 0


# -- leases ---------------------------------------------------------------------------------------


def test_an_expired_lease_is_taken_over_and_the_delivery_sent(
    afternoon, use_smtp_sink, make_order, olivia, alice
):
    # Given a worker claimed Alice's email and then stopped answering
    prepare(make_order, olivia)
    [delivery] = emails(notification__contact=alice)
    stalled = Worker(name="stalled", lease_seconds=60)
    assert delivery.pk in {d.pk for d in claim_and_start(stalled)}
    assert Worker(name="early").run_once() == 0  # nothing to take while the lease holds

    # When its lease has run out and another worker looks
    afternoon.shift(61)
    Worker(name="rescuer").run_once()

    # Then the other worker sent it, and the interruption is on record
    delivery.refresh_from_db()
    assert (delivery.status, delivery.worker, delivery.attempts) == (Status.SENT, "rescuer", 2)
    interrupted, sent = delivery.attempt_log.all()
    assert (interrupted.outcome, interrupted.worker) == (Outcome.INTERRUPTED, "stalled")
    assert "stalled" in interrupted.error
    assert "lease ran out" in interrupted.error
    assert (sent.outcome, sent.worker) == (Outcome.SENT, "rescuer")
    assert use_smtp_sink.only().message_id == delivery.message_id


def test_a_delivery_that_stops_every_worker_is_given_up(afternoon, use_smtp_sink, make_order, olivia, alice):
    # Given Alice's email stopped the worker sending it as many times as a delivery may be tried
    from orderflow.notifications.worker import MAX_ATTEMPTS

    prepare(make_order, olivia)
    [delivery] = emails(notification__contact=alice)
    for attempt in range(MAX_ATTEMPTS):
        crashed = Worker(name=f"crashed-{attempt}", lease_seconds=60)
        assert delivery.pk in {d.pk for d in claim_and_start(crashed)}
        afternoon.shift(61)

    # When another worker looks
    Worker(name="next").run_once()

    # Then it is failed with the reason, and nothing was sent
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert f"stopped while sending it {MAX_ATTEMPTS} times" in delivery.error
    assert not use_smtp_sink.messages
    assert outcomes(delivery) == [Outcome.INTERRUPTED] * (MAX_ATTEMPTS - 1) + [Outcome.FAILED]


def test_a_worker_killed_before_sending_costs_its_batch_no_attempt(
    afternoon, use_smtp_sink, make_order, olivia, alice
):
    # Given Alice's email was claimed by twenty workers in turn, each killed before it began to send
    from orderflow.notifications.worker import MAX_ATTEMPTS

    prepare(make_order, olivia)
    [delivery] = emails(notification__contact=alice)
    for attempt in range(MAX_ATTEMPTS * 2 + 4):
        assert delivery.pk in {d.pk for d in Worker(name=f"killed-{attempt}", lease_seconds=60).claim()}
        afternoon.shift(61)

    # When a worker that lives looks
    Worker(name="survivor").run_once()

    # Then it is sent, on its first attempt, and no interruption was charged
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.worker) == (Status.SENT, 1, "survivor")
    assert outcomes(delivery) == [Outcome.SENT]
    assert use_smtp_sink.only().message_id == delivery.message_id


def test_only_the_delivery_being_sent_is_charged_when_its_worker_dies(
    afternoon, use_smtp_sink, make_order, olivia, alice, carla
):
    # Given a worker claimed two emails and was killed while sending the first
    prepare(make_order, olivia, contact=alice)
    prepare(make_order, olivia, contact=carla)
    stalled = Worker(name="stalled", lease_seconds=60)
    first, second = [d for d in stalled.claim() if d.channel == Channel.EMAIL]
    assert stalled._start(first)

    # When its lease runs out and another worker sends both
    afternoon.shift(61)
    Worker(name="rescuer").run_once()

    # Then only the first carries an interrupted attempt; the second was sent on its first try
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts) == (Status.SENT, 2)
    assert outcomes(first) == [Outcome.INTERRUPTED, Outcome.SENT]
    assert (second.status, second.attempts, outcomes(second)) == (Status.SENT, 1, [Outcome.SENT])


def test_a_worker_that_lost_its_lease_cannot_overwrite_the_new_holders_result(
    afternoon, use_smtp_sink, make_order, olivia, alice
):
    # Given a stalled worker's lease was taken over and the new holder sent the email
    prepare(make_order, olivia)
    [delivery] = emails(notification__contact=alice)
    stalled = Worker(name="stalled", lease_seconds=60)
    stale_batch = stalled.claim()
    afternoon.shift(61)
    Worker(name="rescuer").run_once()
    delivery.refresh_from_db()
    sent_at = delivery.sent_at

    # When the stalled worker wakes up and goes on with its batch, this time refused by the server
    use_smtp_sink.refuse[alice.email] = "550 5.1.1 gone"
    afternoon.shift(1)
    stalled.process(stale_batch)

    # Then it sent nothing (its lease was gone before the send could start) and the delivery still
    # shows the new holder's result
    assert use_smtp_sink.count() == 1
    assert not delivery.attempt_log.filter(worker="stalled").exists()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.worker, delivery.sent_at, delivery.error) == (
        Status.SENT,
        "rescuer",
        sent_at,
        "",
    )


def test_a_result_write_refuses_a_lease_that_was_taken_over_in_one_statement(
    afternoon, make_order, olivia, alice
):
    # Given a worker claimed Alice's email, and its lease was taken over by another worker since
    prepare(make_order, olivia)
    stalled = Worker(name="stalled", lease_seconds=60)
    [delivery] = [d for d in stalled.claim() if d.channel == Channel.EMAIL]
    afternoon.shift(61)
    rescuer = Worker(name="rescuer", lease_seconds=60)
    assert delivery.pk in {d.pk for d in rescuer.claim()}
    held = Delivery.objects.get(pk=delivery.pk)

    # When the stalled worker writes that it sent the email
    with CaptureQueriesContext(connection) as queries:
        stalled._record(delivery, timezone.now(), 3, "", False)

    # Then the delivery is still the rescuer's, untouched; the stale attempt is logged as such
    after = Delivery.objects.get(pk=delivery.pk)
    assert (after.status, after.worker, after.lease_until, after.sent_at) == (
        Status.SENDING,
        "rescuer",
        held.lease_until,
        None,
    )
    stale = after.attempt_log.get(worker="stalled")
    assert stale.outcome == Outcome.LEASE_LOST
    assert stale.error.startswith(f"{Outcome.SENT}:")  # what it did, for the trace
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    if connection.vendor == "postgresql":
        assert len(writes) == 1, writes  # the fenced UPDATE and the attempt's INSERT in one statement
        assert "WITH applied AS" in writes[0]

    # And the holder's own result is applied
    rescuer._record(held, timezone.now(), 3, "", False)
    after.refresh_from_db()
    assert (after.status, after.worker, after.lease_until) == (Status.SENT, "rescuer", None)
    assert after.attempt_log.get(worker="rescuer").error == ""


def test_a_claimed_batch_is_rendered_from_one_preload(
    afternoon, use_smtp_sink, make_order, olivia, alice, carla
):
    # Given five status emails about five orders, to two contacts
    for contact in (alice, carla, alice, carla, alice):
        prepare(make_order, olivia, contact=contact)
    worker = Worker(batch_size=50)
    claimed = [d for d in worker.claim() if d.channel == Channel.EMAIL]
    assert len(claimed) == 5

    # When the worker sends the batch
    with CaptureQueriesContext(connection) as queries:
        assert worker.process(claimed) == 5

    # Then the orders and the template overrides were read once for the batch, not once per message
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([q for q in sql if 'FROM "orders_order"' in q]) == 1, sql
    assert len([q for q in sql if 'FROM "orders_orderline"' in q]) == 1, sql  # the totals with taxes
    assert len([q for q in sql if 'FROM "notifications_messagetemplate"' in q]) == 1, sql
    # and so were the grants of the messages' links: made where missing, then read, for the lot
    assert len([q for q in sql if '"notifications_linkgrant"' in q]) == 2, sql
    assert use_smtp_sink.count() == 5
    # and each result is its own write, which also records that the next send starts (one statement
    # on PostgreSQL; on SQLite an UPDATE and an INSERT, and an UPDATE of the next), the first start alone
    writes = [q for q in sql if not q.startswith(("SAVEPOINT", "RELEASE"))]
    if connection.vendor == "postgresql":
        assert len(writes) == 1 + 2 + 2 + 1 + 5, sql
    else:
        assert len(writes) == 1 + 2 + 2 + 1 + 5 * 2 + 4, sql


def test_a_worker_releases_what_it_has_no_time_left_to_send(afternoon, use_smtp_sink, make_order, olivia):
    prepare(make_order, olivia)
    worker = Worker(name="late", lease_seconds=60)
    claimed = worker.claim()
    worker._lease_started -= 55  # most of the lease is gone (monotonic time, not the wall clock)

    assert worker.process(claimed) == 0

    assert use_smtp_sink.count() == 0
    for delivery in Delivery.objects.filter(pk__in=[d.pk for d in claimed]):
        assert (delivery.status, delivery.attempts, delivery.lease_until) == (Status.PENDING, 0, None)


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_get_the_same_delivery(acme):
    # Given 300 due deliveries, committed
    now = timezone.now()
    notification = Notification.objects.create(
        seller=acme,
        recipient_name="Many",
        category=Category.ORDER_UPDATES,
        template="status_changed",
        idempotency_key="race",
        reason="test",
        created_at=now,
    )
    Delivery.objects.bulk_create(
        Delivery(
            notification=notification,
            channel=Channel.EMAIL,
            address=f"reader{i}@example.test",
            due_at=now,
            reason="test",
            created_at=now,
        )
        for i in range(300)
    )
    everything = set(Delivery.objects.values_list("pk", flat=True))
    start = threading.Barrier(2)
    claimed: dict[str, list[int]] = {}

    def claim_all(name: str) -> None:
        worker = Worker(name=name, batch_size=7)
        got: list[int] = []
        try:
            start.wait(timeout=10)
            while batch := worker.claim():
                got += [d.pk for d in batch]
        finally:
            claimed[name] = got
            connection.close()

    # When two workers claim from two threads at the same time until nothing is left
    threads = [threading.Thread(target=claim_all, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then every delivery was claimed exactly once
    one, two = claimed["one"], claimed["two"]
    assert len(one) == len(set(one))
    assert len(two) == len(set(two))
    assert not set(one) & set(two)
    assert set(one) | set(two) == everything
    holders = dict(Delivery.objects.values_list("pk", "worker"))
    assert {holders[pk] for pk in one} <= {"one"}
    assert {holders[pk] for pk in two} <= {"two"}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {0}  # claiming charges nothing


# -- the command ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_the_worker_cleanly_and_gives_back_what_it_did_not_send(
    bulk_emails, smtp_sink, start_worker
):
    # Given 150 due emails and a slow mail server
    deliveries = bulk_emails(150)
    smtp_sink.delay = 0.02
    worker = start_worker("--batch-size", "500", smtp_port=smtp_sink.port, name="terminated")

    # When the worker is told to stop in the middle of its batch
    assert wait_for(lambda: smtp_sink.count() >= 3, timeout=30), worker.output()
    worker.process.send_signal(signal.SIGTERM)

    # Then it exits with 0, having recorded what it sent and given back the rest untouched
    assert worker.process.wait(timeout=20) == 0, worker.output()
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    assert statuses[Status.SENDING] == 0
    assert statuses[Status.SENT] == smtp_sink.count() < 150
    released = Delivery.objects.filter(status=Status.PENDING)
    assert released.count() == 150 - statuses[Status.SENT]
    assert set(released.values_list("attempts", "lease_until")) == {(0, None)}
    assert not DeliveryAttempt.objects.exclude(outcome=Outcome.SENT).exists()

    # And another worker sends the rest, then stops at once when idle
    smtp_sink.delay = 0
    second = start_worker(smtp_port=smtp_sink.port, name="second")
    assert wait_for(lambda: not Delivery.objects.exclude(status=Status.SENT).exists(), timeout=30)
    second.process.send_signal(signal.SIGTERM)
    assert second.process.wait(timeout=10) == 0, second.output()
    assert sorted(smtp_sink.ids()) == sorted(d.message_id for d in deliveries)
    assert set(smtp_sink.ids().values()) == {1}


def test_run_worker_once_sends_what_is_due_and_gives_the_signal_handlers_back(
    afternoon, use_smtp_sink, make_order, olivia
):
    prepare(make_order, olivia)
    handlers = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    out = io.StringIO()

    call_command("run_worker", "--once", stdout=out)

    assert out.getvalue().strip() == "Processed 2 deliveries."  # Alice's email, Olivia's in-app item
    assert use_smtp_sink.count() == 1
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == handlers


def test_run_worker_refuses_a_lease_too_short_to_send_anything(db):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("run_worker", "--lease-seconds", "1", stderr=err)
    assert exit_.value.code == 2
    assert "--lease-seconds at least 5" in err.getvalue()


def test_sellers_take_turns_in_a_claim(afternoon, acme, rival):
    # Given Acme has ten emails due since an hour ago and Rival one, due just now
    def due(seller, count: int, at: dt.datetime) -> list[int]:
        notification = Notification.objects.create(
            seller=seller,
            recipient_name="Reader",
            category=Category.ORDER_UPDATES,
            template="status_changed",
            idempotency_key=f"turns:{seller.pk}",
            reason="test",
            created_at=at,
        )
        made = Delivery.objects.bulk_create(
            Delivery(
                notification=notification,
                channel=Channel.EMAIL,
                address=f"reader{i}@example.test",
                due_at=at,
                reason="test",
                created_at=at,
            )
            for i in range(count)
        )
        return [d.pk for d in made]

    now = timezone.now()
    backlog = due(acme, 10, now - dt.timedelta(hours=1))
    [newcomer] = due(rival, 1, now)

    # When a worker claims three
    claimed = [d.pk for d in Worker(batch_size=3).claim()]

    # Then Rival's email is among them, after Acme's oldest: each seller's first before anyone's second
    assert claimed == [backlog[0], newcomer, backlog[1]]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="only PostgreSQL tells a running worker's session from a gone one",
)
def test_a_lease_lost_by_a_slow_worker_that_still_runs_is_never_charged(
    afternoon, use_smtp_sink, make_order, olivia, alice
):
    # Given Alice's email was started by a worker that is still running (its session is open) but
    # so slow that its lease ran out, more times than a delivery may be tried
    from orderflow.notifications.worker import MAX_ATTEMPTS

    prepare(make_order, olivia)
    [delivery] = emails(notification__contact=alice)
    slow = Worker(name="slow", lease_seconds=60)
    slow._tune_session()  # names this session after it: the worker is running
    for _attempt in range(MAX_ATTEMPTS + 2):
        assert delivery.pk in {d.pk for d in claim_and_start(slow)}
        afternoon.shift(61)

    # When a worker looks
    rescuer = Worker(name="rescuer")
    rescuer.process(rescuer.claim())

    # Then it is sent: the lost leases were logged but never counted as attempts
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.worker) == (Status.SENT, 1, "rescuer")
    assert outcomes(delivery) == [Outcome.LEASE_LOST] * (MAX_ATTEMPTS + 2) + [Outcome.SENT]
    assert use_smtp_sink.only().message_id == delivery.message_id
