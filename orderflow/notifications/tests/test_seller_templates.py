"""A seller's wording of a message may use placeholders and conditions only: anything else is refused
naming it, when saved and again when a stored template is rendered; output and time stay bounded."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.actions import save_template
from orderflow.notifications.models import Delivery, DeliveryAttempt, MessageTemplate, Notification, Status
from orderflow.notifications.render import OUTPUT_LIMITS, render
from orderflow.notifications.seller_templates import TemplateProblem, compile_template
from orderflow.notifications.worker import Worker
from orderflow.orders.actions import transition_order

# The measured attack: three nested loops over the message text (cubic in its length).
NESTED_LOOPS = (
    "{% for a in note %}{% for b in note %}{% for c in note %}.{% endfor %}{% endfor %}{% endfor %}"
)

FORBIDDEN = [
    (NESTED_LOOPS, "for"),
    ("{% include '/etc/passwd' %}", "include"),
    ('{% extends "web/base.html" %}', "extends"),
    ("{% load static %}", "load"),
    ("{% block x %}{% endblock %}", "block"),
    ("{% with n=note %}{{ n }}{% endwith %}", "with"),
    ("{% now 'Y' %}", "now"),
    ("{% debug %}", "debug"),
    ("{% verbatim %}{{ note }}{% endverbatim %}", "verbatim"),
    ("{% cycle note status %}", "cycle"),
    ("{% endfor %}", "endfor"),
    ("{{ note|slice:'2' }}", "slice"),
    ("{{ note|truncatewords:3 }}", "truncatewords"),
    ("{% if note|length > 3 %}x{% endif %}", "length"),
    ("{{ note.upper }}", "note.upper"),
    ("{% if status.title %}x{% endif %}", "status.title"),
    ("{% if 'a' in note %}x{% endif %}", "in"),
]

ALLOWED = [
    "Hello {{ recipient_name }}",
    "{% if note %}Note: {{ note }}{% elif custom_message %}{{ custom_message }}{% else %}-{% endif %}",
    "{% if not note and status == 'Ready' or currency != \"EUR\" %}x{% endif %}",
    "{{ note|default:'nothing' }} {{ status|upper }} {{ seller_name|default:customer_name }}",
    "{# a comment #}{{ 3 }} {{ 'literal' }}",
]


# A Wednesday afternoon in New York: inside everyone's delivery hours.
AFTERNOON = dt.datetime(2026, 6, 10, 14, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def afternoon():
    with time_machine.travel(AFTERNOON, tick=False) as clock:
        yield clock


def _save(acme, olivia, **parts):
    wording = {"subject": "Order {{ order_number }}", "body": "{{ status }}", "sms": "{{ status }}"} | parts
    return save_template(acme, key="status_changed", locale="en", actor=Actor.staff(olivia), **wording)


@pytest.mark.parametrize(("source", "construct"), FORBIDDEN)
def test_a_forbidden_construct_is_refused_when_saved_naming_it(acme, olivia, source, construct):
    with pytest.raises(ActionError) as refused:
        _save(acme, olivia, body=source)

    assert refused.value.code == "template_forbidden"
    assert refused.value.details == {"field": "body", "construct": construct}
    assert construct in refused.value.message
    assert not MessageTemplate.objects.exists()


@pytest.mark.parametrize("source", ALLOWED)
def test_placeholders_conditions_and_the_allowed_filters_are_accepted(acme, olivia, source):
    _save(acme, olivia, body=source, sms=source)
    assert MessageTemplate.objects.get().body == source


@pytest.mark.parametrize(
    "source",
    [
        "{% if note %}" * 11 + "x" + "{% endif %}" * 11,
        "{% if " + "not " * 3000 + "note %}x{% endif %}",
        "{% if note" + " and note" * 1500 + " %}x{% endif %}",
    ],
    ids=["nested", "not-chain", "and-chain"],
)
def test_conditions_too_deep_for_the_stack_are_refused_not_crashed(source):
    # Each would exhaust Python's stack in the parser or the renderer, within the length limit
    with pytest.raises(TemplateProblem) as refused:
        compile_template(source, "body")
    assert (refused.value.code, refused.value.construct) == ("template_forbidden", "if")


def test_a_template_too_long_for_its_part_is_refused(acme, olivia):
    with pytest.raises(ActionError) as refused:
        _save(acme, olivia, sms="x" * 2001)
    assert (refused.value.code, refused.value.details["field"]) == ("template_too_long", "sms")


def test_include_is_refused_before_any_file_is_opened(monkeypatch):
    def no_files(*args, **kwargs):
        raise AssertionError("a seller's template opened a file")

    monkeypatch.setattr("builtins.open", no_files)
    monkeypatch.setattr("pathlib.Path.open", no_files)
    with pytest.raises(TemplateProblem) as refused:
        compile_template("{% include '/etc/passwd' %}", "body")
    assert (refused.value.code, refused.value.construct) == ("template_forbidden", "include")


@pytest.mark.parametrize(("source", "construct"), [FORBIDDEN[0], FORBIDDEN[1], FORBIDDEN[14]])
def test_a_stored_forbidden_template_fails_its_deliveries_for_good_without_a_crash(
    afternoon, make_order, olivia, alice, acme, source, construct
):
    # Given a template stored before the rules, or written straight into the database
    MessageTemplate.objects.create(
        seller=acme, key="status_changed", locale="en", subject="Hi", body=source, sms="{{ status }}"
    )
    order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
    notification = Notification.objects.get(order=order, contact=alice, template="status_changed")

    # Then rendering refuses it, naming the construct
    with pytest.raises(TemplateProblem) as refused:
        render(notification)
    assert (refused.value.code, refused.value.construct) == ("template_forbidden", construct)

    # And the worker closes its deliveries as failed (permanent, no retry), and goes on
    started = time.perf_counter()
    Worker().run_once()
    assert time.perf_counter() - started < 5
    deliveries = Delivery.objects.filter(notification=notification)
    assert deliveries.exists()
    assert {d.status for d in deliveries} == {Status.FAILED}
    assert set(DeliveryAttempt.objects.filter(delivery__in=deliveries).values_list("outcome", flat=True)) == {
        DeliveryAttempt.Outcome.FAILED
    }


def test_a_long_message_renders_fast_and_is_capped(make_order, olivia, acme):
    # Given a seller's wording that repeats a 5,000-character customer note many times
    many = " ".join(["{{ customer_notes }}"] * 50)
    subject = "#{{ order_number }} {{ customer_notes }}"
    save_template(
        acme, key="new_order", locale="en", actor=Actor.staff(olivia), subject=subject, body=many, sms=many
    )
    order = make_order("shop", customer_notes="n" * 4999 + "\n")
    notification = Notification.objects.filter(order=order, template="new_order").first()
    assert notification is not None
    render(notification)  # warm: the template is parsed once per process

    # When it is rendered
    started = time.perf_counter()
    rendered = render(notification)
    elapsed = time.perf_counter() - started

    # Then well under 100 ms, and each part is cut at its limit
    print(f"rendered in {elapsed * 1000:.1f} ms")
    assert elapsed < 0.1, f"{elapsed * 1000:.0f} ms"
    assert len(rendered.subject) <= OUTPUT_LIMITS["subject"]
    assert len(rendered.body) <= OUTPUT_LIMITS["body"] + 1000  # the offer may follow the cut
    assert rendered.short.endswith("…")
    assert len(rendered.short) <= OUTPUT_LIMITS["sms"]


def test_a_sellers_text_is_escaped_once_in_the_html_and_its_links_clickable(make_order, olivia, alice, acme):
    _save(acme, olivia, body="Dear {{ recipient_name }}, <b>{{ status }}</b>\n\nSee {{ order_url }}")
    order = transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
    rendered = render(Notification.objects.get(order=order, contact=alice, template="status_changed"))

    assert "<b>In preparation</b>" in rendered.text
    assert "&lt;b&gt;In preparation&lt;/b&gt;" in rendered.html
    assert "&amp;lt;" not in rendered.html
    assert '<a href="http' in rendered.html
    assert rendered.html.startswith("<!doctype html>")
