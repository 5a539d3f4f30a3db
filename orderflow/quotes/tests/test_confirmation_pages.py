"""The pages and endpoints of customer confirmations: staff send, add a contact, withdraw, progress; the
public approval page and its signed-in twin; the API; each refusing other sellers' and customers' rows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from orderflow.accounts.actions import add_contact, add_customer, create_portal_login
from orderflow.api.tests.conftest import ApiClient
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_api_token
from orderflow.notifications import links
from orderflow.orders.models import Order
from orderflow.quotes.actions.confirmations import send_confirmation
from orderflow.quotes.models import Acceptance, Confirmation, ConfirmationStatus, Terms


@pytest.fixture(autouse=True)
def plain_static_files(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _order_url(order: Order, name: str = "order_detail", **kwargs) -> str:
    return reverse(name, kwargs={"seller_slug": order.seller.slug, "number": order.number, **kwargs})


@pytest.fixture
def as_olivia(client, olivia) -> Client:
    client.force_login(olivia.user)
    return client


@pytest.fixture
def sent(quote, alice, olivia, terms) -> Confirmation:
    return send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))


def _approval_path(confirmation: Confirmation) -> str:
    return f"/a/{links.approval_token(confirmation.pk, confirmation.link_nonce)}/"


def _form(client: Client, path: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200
    return {"shown": page.context["page"].token}


# Staff pages


def test_the_terms_page_publishes_versions_with_their_digest(as_olivia, acme):
    url = reverse("terms_settings", kwargs={"seller_slug": "acme"})
    assert as_olivia.get(url).status_code == 200
    as_olivia.post(url, {"title": "General terms", "body": "Version one."})
    as_olivia.post(url, {"title": "General terms", "body": "Version two."})
    page = as_olivia.get(url)
    assert [t.version for t in page.context["versions"]] == [2, 1]
    assert Terms.digest("Version two.") in page.content.decode()
    refused = as_olivia.post(url, {"title": "General terms", "body": "Version two."})
    assert refused.status_code == 400
    assert Terms.objects.filter(seller=acme).count() == 2


def test_staff_without_the_manager_role_cannot_publish_terms(client, sam):
    client.force_login(sam.user)
    url = reverse("terms_settings", kwargs={"seller_slug": "acme"})
    assert client.post(url, {"title": "T", "body": "B"}).status_code == 403
    assert not Terms.objects.exists()


def test_the_send_page_offers_only_contacts_in_the_domain(as_olivia, quote, alice, terms, outsiders):
    url = _order_url(quote.order, "confirmation_new", version=1)
    page = as_olivia.get(url)
    offered = {c.contact.name: c.eligible for c in page.context["candidates"]}
    assert offered["Alice Martin"] is True
    assert offered["Bob Free"] is False
    assert offered["Eve Evil"] is False
    refused = as_olivia.post(url, {"contact": outsiders["lookalike"].pk})
    assert refused.status_code == 400
    assert not Confirmation.objects.exists()
    assert as_olivia.post(url, {"contact": alice.pk}).status_code == 302
    assert Confirmation.objects.get().contact == alice
    order_page = as_olivia.get(_order_url(quote.order)).content.decode()
    assert 'data-testid="confirmation"' in order_page


def test_add_contact_on_the_spot_then_send(as_olivia, quote, terms):
    url = _order_url(quote.order, "confirmation_add_contact", version=1)
    as_olivia.post(url, {"name": "Dana New", "email": "dana@cornerbar.example"})
    dana = quote.order.customer.contacts.get(name="Dana New")
    as_olivia.post(_order_url(quote.order, "confirmation_new", version=1), {"contact": dana.pk})
    assert Confirmation.objects.get().contact == dana


def test_revoke_and_progress_buttons(as_olivia, sent, alice):
    order = sent.order
    assert as_olivia.post(_order_url(order, "quote_progress")).status_code == 302
    assert Order.objects.get(pk=order.pk).state == "confirmation_sent"  # refused: not accepted
    as_olivia.post(_order_url(order, "confirmation_revoke", confirmation_id=sent.pk))
    sent.refresh_from_db()
    assert sent.status == ConfirmationStatus.REVOKED


def test_another_sellers_staff_reach_nothing(client, rita, sent):
    client.force_login(rita.user)
    order = sent.order
    for name, kwargs in [
        ("confirmation_new", {"version": 1}),
        ("confirmation_revoke", {"confirmation_id": sent.pk}),
        ("acceptance_file", {"confirmation_id": sent.pk}),
        ("quote_progress", {}),
    ]:
        url = reverse(name, kwargs={"seller_slug": "acme", "number": order.number, **kwargs})
        assert client.post(url).status_code in (403, 404), name
    sent.refresh_from_db()
    assert sent.status == ConfirmationStatus.SENT


# The approval page


def test_the_approval_page_shows_no_price_and_accepts(client, sent, alice):
    path = _approval_path(sent)
    page = client.get(path)
    body = page.content.decode()
    assert "Firewall appliance" in body
    assert "1249" not in body
    assert "1,249" not in body
    assert page["Cache-Control"] == "no-store"
    data = _form(client, path) | {"agree": "on", "authorised": "on", "contact": str(alice.pk)}
    done = client.post(path, data, REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Pytest browser")
    assert done.status_code == 200
    assert 'data-testid="thanks"' in done.content.decode()
    acceptance = Acceptance.objects.get()
    assert acceptance.ip_address == "198.51.100.4"
    assert acceptance.user_agent == "Pytest browser"
    # The link, used: it says so and changes nothing.
    again = client.get(path)
    assert "already_accepted" in again.content.decode()


@pytest.mark.parametrize(
    ("missing", "code"),
    [
        ("agree", "terms_not_agreed"),
        ("authorised", "authority_not_confirmed"),
        ("contact", "contact_required"),
    ],
)
def test_the_approval_page_shows_what_is_missing(client, sent, alice, missing, code):
    path = _approval_path(sent)
    data = _form(client, path) | {"agree": "on", "authorised": "on", "contact": str(alice.pk)}
    del data[missing]
    page = client.post(path, data)
    assert page.status_code == 400
    assert page.context["error"].code == code
    assert not Acceptance.objects.exists()


def test_a_contact_of_another_customer_is_refused_on_the_page(client, sent, acme):
    cafe = add_customer(acme, name="Harbour Cafe")
    carla = add_contact(cafe, name="Carla Diaz", email="carla@harbourcafe.example")
    path = _approval_path(sent)
    data = _form(client, path) | {"agree": "on", "authorised": "on", "contact": str(carla.pk)}
    assert client.post(path, data).context["error"].code == "contact_not_of_customer"
    assert not Acceptance.objects.exists()


def test_bad_links_show_why(client, sent, olivia):
    token = links.approval_token(sent.pk, sent.link_nonce)
    tampered = client.get(f"/a/{token[:-2]}xx/")
    assert tampered.status_code == 404
    assert 'data-code="invalid"' in tampered.content.decode()
    from orderflow.quotes.actions.confirmations import revoke_confirmation

    revoke_confirmation(sent, actor=Actor.staff(olivia))
    revoked = client.get(f"/a/{token}/")
    assert 'data-code="revoked"' in revoked.content.decode()


def test_signed_in_contacts_reach_it_from_the_portal_only_for_their_customer(client, sent, alice, acme):
    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    client.force_login(alice.user)
    path = reverse("portal_order_approval", kwargs={"number": sent.order.number, "confirmation_id": sent.pk})
    data = _form(client, path) | {"agree": "on", "authorised": "on", "contact": str(alice.pk)}
    assert client.post(path, data).status_code == 200
    assert "signed in" in Acceptance.objects.get().identity
    cafe = add_customer(acme, name="Harbour Cafe")
    carla = add_contact(cafe, name="Carla Diaz", email="carla@harbourcafe.example")
    create_portal_login(carla, password=PASSWORD, actor=Actor.system())
    other = Client()
    other.force_login(carla.user)
    assert other.get(path).status_code == 404


# The API


@pytest.fixture
def api(acme, olivia) -> ApiClient:
    _token, raw = create_api_token(acme, name="ERP", scope="read_write", actor=Actor.staff(olivia))
    return ApiClient(raw)


def test_the_api_sends_lists_with_evidence_and_revokes(api, quote, alice, terms, outsiders, client):
    number = quote.order.number
    refused = api.post(
        f"/orders/{number}/confirmations", {"quote_version": 1, "contact": outsiders["gmail"].pk}
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "contact_outside_domains"
    made = api.post(f"/orders/{number}/confirmations", {"quote_version": 1, "contact": alice.pk})
    assert made.status_code == 201
    assert made.json()["status"] == "sent"
    assert made.json()["evidence"] is None
    refused = api.post(f"/orders/{number}/progress-quote")
    assert refused.json()["code"] == "not_accepted"
    confirmation = Confirmation.objects.get()
    path = _approval_path(confirmation)
    client.post(path, _form(client, path) | {"agree": "on", "authorised": "on", "contact": str(alice.pk)})
    [listed] = api.get(f"/orders/{number}/confirmations").json()
    assert listed["status"] == "accepted"
    assert listed["evidence"]["terms_sha256"] == terms.sha256
    assert listed["evidence"]["summary"]["items"][0] == {
        "description": "Firewall appliance",
        "sku": "",
        "quantity": "3",
    }
    progressed = api.post(f"/orders/{number}/progress-quote")
    assert progressed.status_code == 200
    assert progressed.json()["state"] == "order_placed"


def test_the_api_refuses_another_sellers_contact(api, quote, terms, rival_customer):
    stranger = add_contact(rival_customer, name="Stranger", email="s@cornerbar.example")
    answer = api.post(
        f"/orders/{quote.order.number}/confirmations", {"quote_version": 1, "contact": stranger.pk}
    )
    assert answer.status_code == 404


def test_the_terms_page_is_the_sellers_own(client, rita, olivia, acme):
    from orderflow.quotes.actions.terms import publish_terms

    publish_terms(acme, title="Acme terms", body="Secret wording.", actor=Actor.staff(olivia))
    client.force_login(rita.user)
    answer = client.get(reverse("terms_settings", kwargs={"seller_slug": "acme"}))
    assert answer.status_code in (403, 404)
    assert b"Secret wording." not in answer.content


def test_a_french_contact_reads_the_approval_page_in_french(client, quote, olivia, terms, corner_bar):
    chloe = add_contact(corner_bar, name="Chloé Roy", email="chloe@cornerbar.example", locale="fr")
    confirmation = send_confirmation(quote, contact=chloe, actor=Actor.staff(olivia))
    page = client.get(_approval_path(confirmation)).content.decode()
    assert "Accepter les conditions" in page
    assert "Sommaire des produits" in page


def test_the_portal_order_page_points_to_the_terms_to_accept(client, sent, alice):
    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    client.force_login(alice.user)
    page = client.get(reverse("portal_order", kwargs={"number": sent.order.number})).content.decode()
    assert (
        reverse("portal_order_approval", kwargs={"number": sent.order.number, "confirmation_id": sent.pk})
        in page
    )


def test_the_order_page_says_when_a_sent_link_can_no_longer_be_used(as_olivia, sent, make_quote):
    make_quote(sent.order, version=2)  # a revision replaced the version the link shows
    page = as_olivia.get(_order_url(sent.order)).content.decode()
    assert 'data-testid="confirmation-closed"' in page


def test_before_any_quote_the_order_page_leads_to_drafting_one(as_olivia, proposal):
    page = as_olivia.get(_order_url(proposal)).content.decode()
    assert 'data-testid="draft-quote"' in page
    assert 'href="#confirmations-heading"' in page  # the status card points to the next step
    assert _order_url(proposal, "order_quotes") in page
