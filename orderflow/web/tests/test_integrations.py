"""The integrations page: API tokens (shown once, revocable) and webhook endpoints with what was sent to
them. Owners and managers manage them, other staff only read, other sellers see nothing."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from orderflow.accounts.actions import deactivate_staff
from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_api_token, create_webhook_endpoint, revoke_api_token
from orderflow.integrations.models import ApiToken, WebhookEndpoint
from orderflow.notifications.models import Channel, Delivery, Status
from orderflow.orders.actions import transition_order
from orderflow.web.tests.conftest import seller_url

ERP = "https://erp.example.com/hooks"


@pytest.fixture
def erp_endpoint(olivia):
    return create_webhook_endpoint(
        olivia.seller, url=ERP, event_types=["order.status_changed"], actor=Actor.staff(olivia)
    )


@pytest.fixture
def erp_token(olivia):
    token, _ = create_api_token(olivia.seller, name="ERP sync", scope="read", actor=Actor.staff(olivia))
    return token


@pytest.fixture
def sent_to_erp(erp_endpoint, make_order, olivia):
    """An order moved once: one message for the endpoint in the outbox."""
    transition_order(make_order("shop"), to="in_preparation", actor=Actor.staff(olivia))
    return Delivery.objects.get(channel=Channel.WEBHOOK)


def urls(endpoint, token, delivery, slug="acme"):
    return [
        ("GET", seller_url("integrations", slug)),
        ("POST", seller_url("api_token_create", slug)),
        ("POST", seller_url("api_token_revoke", slug, token_id=token.pk)),
        ("POST", seller_url("webhook_create", slug)),
        ("GET", seller_url("webhook_endpoint", slug, endpoint_id=endpoint.pk)),
        ("POST", seller_url("webhook_endpoint", slug, endpoint_id=endpoint.pk)),
        ("POST", seller_url("webhook_redeliver", slug, endpoint_id=endpoint.pk, delivery_id=delivery.pk)),
    ]


def test_a_new_token_is_shown_once_and_works_against_the_api(client, olivia):
    client.force_login(olivia.user)
    response = client.post(seller_url("api_token_create"), {"name": "ERP sync", "scope": "read_write"})
    assert response.status_code == 200
    page = response.content.decode()
    raw = re.search(r'data-testid="new-token-value">([^<]+)<', page).group(1)
    token = ApiToken.objects.get()
    assert (token.name, token.scope, token.created_by) == ("ERP sync", "read_write", olivia.user)
    assert raw not in token.token_hash
    assert token.prefix == raw[:10]

    api = client.get("/api/v1/orders", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200

    listing = client.get(seller_url("integrations")).content.decode()
    assert "ERP sync" in listing
    assert raw not in listing


def test_a_revoked_token_is_refused_by_the_api(client, olivia):
    token, raw = create_api_token(olivia.seller, name="Old", scope="read", actor=Actor.staff(olivia))
    client.force_login(olivia.user)
    response = client.post(seller_url("api_token_revoke", token_id=token.pk))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert "revoked" in client.get(seller_url("integrations")).content.decode()


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("api_token_create", {"name": "", "scope": "read"}, "Name: This field is required."),
        ("api_token_create", {"name": "x", "scope": "admin"}, "Select a valid choice."),
        ("webhook_create", {"url": "ftp://erp.example.com/x"}, "must be an http(s) URL"),
        ("webhook_create", {"url": ERP, "event_types": ["order.exploded"]}, "Select a valid choice."),
        ("webhook_create", {"url": ""}, "Endpoint URL: This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_creates_nothing(client, olivia, name, payload, message):
    client.force_login(olivia.user)
    response = client.post(seller_url(name), payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://127.1/", "http://2130706433/", "http://[::ffff:127.0.0.1]/", "http://100.100.100.200/"]
)
def test_an_endpoint_on_an_address_that_is_not_public_is_a_field_error(client, olivia, settings, url):
    settings.ALLOW_PRIVATE_DESTINATIONS = False
    client.force_login(olivia.user)
    response = client.post(seller_url("webhook_create"), {"url": url})
    assert response.status_code == 400
    assert list(response.context["webhook_form"].errors) == ["url"]
    assert f'value="{url}"' in response.content.decode()  # what was typed is kept
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_is_added_and_its_secret_shown_to_managers(client, olivia):
    client.force_login(olivia.user)
    response = client.post(
        seller_url("webhook_create"),
        {"url": ERP, "description": "ERP", "event_types": ["order.placed", "order.cancelled"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == seller_url("webhook_endpoint", endpoint_id=endpoint.pk)
    assert endpoint.event_types == ["order.cancelled", "order.placed"]
    page = client.get(response["Location"]).content.decode()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in page


def test_the_endpoint_page_lists_what_was_sent_and_redelivers_it(client, olivia, erp_endpoint, sent_to_erp):
    client.force_login(olivia.user)
    page = client.get(seller_url("webhook_endpoint", endpoint_id=erp_endpoint.pk)).content.decode()
    assert "order.status_changed" in page
    assert f"#{sent_to_erp.notification.order.number}" in page

    response = client.post(
        seller_url("webhook_redeliver", endpoint_id=erp_endpoint.pk, delivery_id=sent_to_erp.pk)
    )
    assert response.status_code == 302
    again = Delivery.objects.filter(channel=Channel.WEBHOOK).exclude(pk=sent_to_erp.pk).get()
    assert (again.notification_id, again.status) == (sent_to_erp.notification_id, Status.PENDING)


def test_a_disabled_endpoint_is_enabled_again_then_removed(client, olivia, erp_endpoint):
    WebhookEndpoint.objects.filter(pk=erp_endpoint.pk).update(
        is_active=False, disabled_reason="Failing 5 days"
    )
    client.force_login(olivia.user)
    url = seller_url("webhook_endpoint", endpoint_id=erp_endpoint.pk)
    assert "Failing 5 days" in client.get(url).content.decode()
    client.post(url, {"enable": "1"})
    erp_endpoint.refresh_from_db()
    assert erp_endpoint.is_active
    assert not erp_endpoint.disabled_reason
    assert client.post(url, {"delete": "1"})["Location"] == seller_url("integrations")
    assert not WebhookEndpoint.objects.exists()


def test_staff_see_the_lists_but_no_secret_and_cannot_change_anything(
    client, sam, erp_endpoint, erp_token, sent_to_erp
):
    client.force_login(sam.user)
    page = client.get(seller_url("integrations")).content.decode()
    assert "ERP sync" in page
    assert ERP not in page
    assert "https://erp.example.com/…" in page
    assert 'data-testid="read-only"' in page
    endpoint_page = client.get(seller_url("webhook_endpoint", endpoint_id=erp_endpoint.pk)).content.decode()
    assert erp_endpoint.secret not in endpoint_page

    assert client.post(seller_url("api_token_create"), {"name": "Mine", "scope": "read"}).status_code == 403
    assert client.post(seller_url("webhook_create"), {"url": ERP}).status_code == 403
    client.post(seller_url("api_token_revoke", token_id=erp_token.pk))
    client.post(seller_url("webhook_endpoint", endpoint_id=erp_endpoint.pk), {"delete": "1"})
    client.post(seller_url("webhook_redeliver", endpoint_id=erp_endpoint.pk, delivery_id=sent_to_erp.pk))
    erp_token.refresh_from_db()
    assert erp_token.revoked_at is None
    assert ApiToken.objects.count() == 1
    assert WebhookEndpoint.objects.count() == 1
    assert Delivery.objects.filter(channel=Channel.WEBHOOK).count() == 1


def test_anonymous_visitors_are_sent_to_login(client, erp_endpoint, erp_token, sent_to_erp):
    for method, url in urls(erp_endpoint, erp_token, sent_to_erp):
        response = client.get(url) if method == "GET" else client.post(url, {"name": "x", "url": ERP})
        assert response.status_code == 302, url
        assert "/login/" in response["Location"], url


def test_another_seller_gets_404_and_changes_nothing(client, rita, erp_endpoint, erp_token, sent_to_erp):
    client.force_login(rita.user)
    for method, url in urls(erp_endpoint, erp_token, sent_to_erp):
        payload = {"name": "x", "scope": "read", "url": ERP, "delete": "1"}
        response = client.get(url) if method == "GET" else client.post(url, payload)
        assert response.status_code == 404, url
    # Acme's ids under Rita's own seller are not there either
    rivals = urls(erp_endpoint, erp_token, sent_to_erp, slug="rival")
    with_ids = [rivals[2], *rivals[4:]]  # revoke a token; the endpoint's page, its buttons, redeliver
    assert len(with_ids) == 4
    for method, url in with_ids:
        response = client.get(url) if method == "GET" else client.post(url, {"delete": "1"})
        assert response.status_code == 404, url
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
    assert list(WebhookEndpoint.objects.values_list("seller__slug", flat=True)) == ["acme"]
    assert Delivery.objects.filter(channel=Channel.WEBHOOK).count() == 1


# ----------------------------------------------------------------------------------------------
# Webhook URLs: in full for owners and managers, scheme and host for staff

SECRET_URL = "https://hook-user:hook-pass@erp.example.com:8443/hooks/t0ken-in-path?key=s3cret-query"


def _shown_urls(page: str) -> list[str]:
    return re.findall(r'data-testid="endpoint-url">([^<]+)<', page)


@pytest.mark.parametrize(("who", "full"), [("olivia", True), ("max_manager", True), ("sam", False)])
def test_endpoint_urls_are_shown_in_full_to_managers_only(client, request, olivia, who, full):
    # Given an endpoint whose URL carries credentials in its userinfo, path and query
    endpoint = create_webhook_endpoint(olivia.seller, url=SECRET_URL, actor=Actor.staff(olivia))
    member = request.getfixturevalue(who)
    client.force_login(member.user)

    pages = [
        client.get(seller_url("integrations")).content.decode(),
        client.get(seller_url("webhook_endpoint", endpoint_id=endpoint.pk)).content.decode(),
    ]

    expected = SECRET_URL if full else "https://erp.example.com/…"
    for page in pages:
        assert _shown_urls(page) == [expected]
        if not full:
            for secret in ("hook-user", "hook-pass", "8443", "t0ken-in-path", "s3cret-query"):
                assert secret not in page


# ----------------------------------------------------------------------------------------------
# Tokens: whom they act as, whether they still work, when and where they were last used


def _token_cells(page: str, token: ApiToken) -> str:
    row = re.search(rf'<tr[^>]*data-token="{token.pk}">(.*?)</tr>', page, re.S)
    assert row is not None
    return row.group(1)


def test_the_page_shows_whom_a_token_acts_as_and_when_and_where_it_was_last_used(client, olivia, max_manager):
    token, raw = create_api_token(olivia.seller, name="ERP", scope="read", actor=Actor.staff(max_manager))
    client.get("/api/v1/orders", headers={"Authorization": f"Bearer {raw}"}, REMOTE_ADDR="203.0.113.9")
    client.force_login(olivia.user)

    row = _token_cells(client.get(seller_url("integrations")).content.decode(), token)

    assert 'data-state="active"' in row
    assert "Max" in re.search(r'data-testid="token-member">(.*?)</td>', row, re.S).group(1)
    assert "203.0.113.9" in re.search(r'data-testid="token-last-used">(.*?)</td>', row, re.S).group(1)


@pytest.mark.parametrize(
    ("change", "state"),
    [
        ("deactivate", "member_deactivated"),
        ("remove", "member_removed"),
        ("disable_account", "account_disabled"),
        ("revoke", "revoked"),
    ],
)
def test_a_token_that_no_longer_works_is_shown_with_the_reason(client, olivia, max_manager, change, state):
    # Given Max's token, then Max deactivated, removed, his login disabled, or the token revoked
    token, _ = create_api_token(olivia.seller, name="ERP", scope="read_write", actor=Actor.staff(max_manager))
    if change == "deactivate":
        deactivate_staff(max_manager, actor=Actor.staff(olivia))
    elif change == "remove":
        max_manager.delete()
    elif change == "disable_account":
        User.objects.filter(pk=max_manager.user_id).update(is_active=False)
    else:
        revoke_api_token(token, actor=Actor.staff(olivia))
    client.force_login(olivia.user)

    row = _token_cells(client.get(seller_url("integrations")).content.decode(), token)

    # Then it is listed as not working, with the reason, and offers no Revoke button unless it works
    assert f'data-state="{state}"' in row
    assert seller_url("api_token_revoke", token_id=token.pk) not in row
