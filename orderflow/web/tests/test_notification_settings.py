"""The seller's notification settings: hours and senders, rules, and message templates. Owners and
managers change them; other staff read them and are refused if they try."""

from __future__ import annotations

import pytest

from orderflow.accounts.models import Seller
from orderflow.notifications.models import MessageTemplate, NotificationRule, NotificationSettings
from orderflow.web.tests.conftest import seller_url

SETTINGS = seller_url("notification_settings")
WEEK = {f"day_{index}": "09:00-21:00" for index in range(7)}


def settings_payload(**changes):
    return {
        **WEEK,
        "email_from": "",
        "sms_sender": "",
        "sms_url": "",
        "feedback_delay_minutes": "1440",
        **changes,
    }


@pytest.fixture
def pickup_rule(order_types):
    return NotificationRule.objects.get(
        order_type=order_types["shop"], event="status_changed", state="ready_for_pickup", audience="contact"
    )


def test_an_owner_sees_the_defaults_the_rules_and_the_messages(as_olivia, order_types):
    page = as_olivia.get(SETTINGS).content.decode()

    assert 'value="09:00-21:00"' in page  # the default hours, every day
    assert 'name="sms_url"' in page
    assert "Shop order" in page
    assert "Ready for pickup" in page  # a rule's state, by its label
    # Status changes are listed in the workflow's order, after the events before them
    shop = page[page.index("<h3>Shop order</h3>") :]
    assert shop.index("Order placed") < shop.index("In preparation") < shop.index("Ready for pickup")
    assert shop.index("Ready for pickup") < shop.index("Picked up")
    assert "The contact who placed the order" in page
    assert "<code>status_changed</code>" in page
    assert seller_url("message_template", key="status_changed", locale="fr") in page
    assert 'data-testid="read-only"' not in page


def test_an_owner_changes_hours_and_senders(as_olivia, acme):
    # The platform's operator has verified acme.example for Acme (in the admin)
    Seller.objects.filter(pk=acme.pk).update(sender_domains="acme.example")
    payload = settings_payload(
        day_5="10:00-12:00, 14:00-18:00",
        day_6="",
        email_from="orders@acme.example",
        sms_sender="+14155550100",
        sms_url="json://sms.example.com/sms?to={to}",
        feedback_delay_minutes="60",
    )

    response = as_olivia.post(SETTINGS, payload, follow=True)

    saved = NotificationSettings.objects.get(seller=acme)
    assert "Notification settings saved." in response.content.decode()
    assert saved.default_window["5"] == [[600, 720], [840, 1080]]
    assert saved.default_window["6"] == []
    assert saved.default_window["0"] == [[540, 1260]]
    assert (saved.email_from, saved.sms_sender, saved.feedback_delay_minutes) == (
        "orders@acme.example",
        "+14155550100",
        60,
    )
    assert 'value="10:00-12:00, 14:00-18:00"' in response.content.decode()


def test_a_from_off_the_verified_domains_is_a_field_error_and_nothing_is_saved(as_olivia, acme):
    Seller.objects.filter(pk=acme.pk).update(sender_domains="acme.example")

    response = as_olivia.post(
        SETTINGS, settings_payload(email_from="orders@elsewhere.example", reply_to="desk@elsewhere.example")
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_settings_email_from_error"' in page
    assert 'value="orders@elsewhere.example"' in page  # what was typed is kept
    assert not NotificationSettings.objects.filter(seller=acme).exists()


def test_a_reply_to_is_saved_without_any_verified_domain(as_olivia, acme):
    as_olivia.post(SETTINGS, settings_payload(reply_to="desk@elsewhere.example"))

    saved = NotificationSettings.objects.get(seller=acme)
    assert (saved.email_from, saved.reply_to) == ("", "desk@elsewhere.example")


def test_a_manager_may_change_them_too(client, max_manager, acme):
    client.force_login(max_manager.user)

    client.post(SETTINGS, settings_payload(feedback_delay_minutes="30"))

    assert NotificationSettings.objects.get(seller=acme).feedback_delay_minutes == 30


def test_unreadable_hours_are_a_field_error_and_nothing_is_saved(as_olivia, acme):
    response = as_olivia.post(SETTINGS, settings_payload(day_2="9am-5pm", email_from="orders@acme.example"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "&#x27;9am-5pm&#x27; is not a span such as 09:00-21:00." in page
    assert 'value="9am-5pm"' in page  # what was typed is kept
    assert not NotificationSettings.objects.filter(seller=acme, email_from="orders@acme.example").exists()


def test_an_sms_url_without_the_number_is_refused_by_the_action(as_olivia, acme):
    response = as_olivia.post(SETTINGS, settings_payload(sms_url="json://127.0.0.1:9/sms"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "The SMS service URL must contain {to} where the number goes." in page
    assert 'value="json://127.0.0.1:9/sms"' in page
    assert not NotificationSettings.objects.filter(seller=acme).exclude(sms_url="").exists()


@pytest.mark.parametrize(
    "url",
    ["json://127.0.0.1:9/sms/{to}", "ntfy://127.1:8199/{to}", "gotify://[::1]/abcdefghijklmnop?to={to}"],
)
def test_an_sms_url_on_a_private_address_is_a_field_error(as_olivia, acme, settings, url):
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    response = as_olivia.post(SETTINGS, settings_payload(sms_url=url))
    assert response.status_code == 400
    assert list(response.context["settings_form"].errors) == ["sms_url"]
    assert not NotificationSettings.objects.filter(seller=acme).exclude(sms_url="").exists()


def test_staff_read_the_settings_but_cannot_change_them(client, sam, acme, pickup_rule):
    client.force_login(sam.user)

    page = client.get(SETTINGS).content.decode()
    assert 'data-testid="read-only"' in page
    assert "Ready for pickup" in page
    assert 'name="sms_url"' not in page
    assert 'name="custom_message"' not in page

    refused = client.post(SETTINGS, settings_payload(feedback_delay_minutes="5"))
    assert refused.status_code == 403
    assert "Only an owner or manager can change notification settings." in refused.content.decode()
    assert not NotificationSettings.objects.filter(seller=acme, feedback_delay_minutes=5).exists()

    rule = client.post(
        seller_url("notification_rule", rule_id=pickup_rule.pk),
        {"custom_message": "Free cake", "is_active": "on"},
    )
    assert rule.status_code == 403
    pickup_rule.refresh_from_db()
    assert pickup_rule.custom_message == ""

    template_url = seller_url("message_template", key="status_changed", locale="en")
    assert 'name="subject"' not in client.get(template_url).content.decode()
    template = client.post(template_url, {"subject": "Hi", "body": "Hi", "sms": "Hi"})
    assert template.status_code == 403
    assert not MessageTemplate.objects.exists()


def test_an_owner_edits_a_rules_custom_message_offer_and_switches(as_olivia, pickup_rule):
    response = as_olivia.post(
        seller_url("notification_rule", rule_id=pickup_rule.pk),
        {"custom_message": "Pick up at the back door.", "upsell": "Add flowers for 5 USD.", "urgent": "on"},
        follow=True,
    )

    pickup_rule.refresh_from_db()
    assert (pickup_rule.custom_message, pickup_rule.upsell) == (
        "Pick up at the back door.",
        "Add flowers for 5 USD.",
    )
    assert (pickup_rule.urgent, pickup_rule.is_active) == (True, False)
    page = response.content.decode()
    assert f"Rule #{pickup_rule.pk} saved." in page
    assert "Pick up at the back door." in page


def test_another_sellers_rule_is_not_found(as_olivia, rival):
    from orderflow.core.actors import Actor
    from orderflow.workflows.actions import install_order_type

    install_order_type(rival, preset="shop", actor=Actor.system())
    rivals = NotificationRule.objects.filter(seller=rival).first()

    response = as_olivia.post(seller_url("notification_rule", rule_id=rivals.pk), {"custom_message": "x"})

    assert response.status_code == 404
    rivals.refresh_from_db()
    assert rivals.custom_message == ""


def test_a_template_starts_from_the_default(as_olivia):
    page = as_olivia.get(seller_url("message_template", key="status_changed", locale="fr")).content.decode()

    assert "The default wording is used." in page
    # The French default, as the starting point in the form and shown beside it
    assert 'value="Commande n° {{ order_number }} : {{ status }}"' in page
    assert '<pre class="message-text small">Commande n° {{ order_number }} : {{ status }}</pre>' in page
    assert "customer_name" in page  # the placeholders


def test_a_template_with_an_unknown_placeholder_is_refused_with_the_error_and_kept(as_olivia):
    url = seller_url("message_template", key="status_changed", locale="en")
    typed = {
        "subject": "Your order {{ order_number }}",
        "body": "Hello {{ recipient_name }}, your {{ colour }} order is {{ status }}.",
        "sms": "Order {{ order_number }}: {{ status }}",
    }

    response = as_olivia.post(url, typed)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved. body: Unknown placeholder(s): colour." in page
    assert "Hello {{ recipient_name }}, your {{ colour }} order is {{ status }}." in page  # kept as typed
    assert not MessageTemplate.objects.exists()


def test_a_template_with_bad_syntax_is_refused(as_olivia):
    url = seller_url("message_template", key="status_changed", locale="en")

    response = as_olivia.post(url, {"subject": "{% if status %}Hi", "body": "Hello", "sms": "Hi"})

    assert response.status_code == 400
    assert "subject: The template has a syntax error" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_a_template_missing_a_part_is_refused(as_olivia):
    url = seller_url("message_template", key="status_changed", locale="en")

    response = as_olivia.post(url, {"subject": "Hi", "body": "", "sms": "Hi"})

    assert "missing: body" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_a_good_template_is_saved_and_listed_as_the_sellers_wording(as_olivia, acme):
    url = seller_url("message_template", key="status_changed", locale="en")
    wording = {
        "subject": "#{{ order_number }} is {{ status }}",
        "body": "Dear {{ recipient_name }}, it is {{ status }}.{% if note %} {{ note }}{% endif %}",
        "sms": "#{{ order_number }}: {{ status }}",
    }

    response = as_olivia.post(url, wording, follow=True)

    saved = MessageTemplate.objects.get(seller=acme, key="status_changed", locale="en")
    assert saved.subject == wording["subject"]
    assert "Your wording of status_changed (English) is saved." in response.content.decode()
    assert "Your wording is used" in response.content.decode()
    assert "Your wording<span" in as_olivia.get(SETTINGS).content.decode()


def test_an_unknown_message_or_language_is_not_found(as_olivia):
    assert as_olivia.get(seller_url("message_template", key="nope", locale="en")).status_code == 404
    assert as_olivia.get(seller_url("message_template", key="status_changed", locale="de")).status_code == 404


def test_the_settings_page_takes_a_fixed_number_of_queries(
    as_olivia, order_types, django_assert_max_num_queries
):
    # Five order types with all their rules: the page must not query per rule or per type (11: the header
    # badges included).
    assert NotificationRule.objects.count() > 20
    with django_assert_max_num_queries(11):
        assert as_olivia.get(SETTINGS).status_code == 200


def test_a_manager_goes_back_to_the_default_wording(client, olivia, acme):
    from django.urls import reverse

    from orderflow.core.actors import Actor
    from orderflow.notifications.actions import save_template
    from orderflow.notifications.models import MessageTemplate

    save_template(
        acme,
        key="status_changed",
        locale="en",
        actor=Actor.staff(olivia),
        subject="Update",
        body="Now {{ status }}",
        sms="Now {{ status }}",
    )
    client.force_login(olivia.user)
    url = reverse("message_template", kwargs={"seller_slug": "acme", "key": "status_changed", "locale": "en"})
    response = client.post(url, {"reset": "1"}, follow=True)
    assert "uses the default wording again" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_a_template_with_a_loop_or_an_include_is_refused_as_a_form_error(as_olivia):
    url = seller_url("message_template", key="status_changed", locale="en")
    for body in ("{% for c in note %}{{ c }}{% endfor %}", "{% include '/etc/passwd' %}"):
        response = as_olivia.post(url, {"subject": "Hi", "body": body, "sms": "Hi"})

        page = response.content.decode()
        assert response.status_code == 400
        assert 'id="id_body_error"' in page  # shown on the body field
        assert not MessageTemplate.objects.exists()


def test_a_message_reworded_in_one_language_only_is_flagged_in_the_other(as_olivia, acme):
    """Seller data the seller did not translate falls back to the default, with a visible note."""
    MessageTemplate.objects.create(
        seller=acme, key="status_changed", locale="en", subject="#{{ order_number }}", body="Hi", sms="Hi"
    )

    grid = as_olivia.get(SETTINGS).content.decode()
    french = as_olivia.get(seller_url("message_template", key="status_changed", locale="fr"))
    english = as_olivia.get(seller_url("message_template", key="status_changed", locale="en"))
    untouched = as_olivia.get(seller_url("message_template", key="new_message", locale="fr"))

    assert grid.count('data-testid="untranslated"') == 1
    assert 'data-testid="untranslated"' in french.content.decode()
    assert 'data-testid="untranslated"' not in english.content.decode()
    assert 'data-testid="untranslated"' not in untouched.content.decode()
