"""The customers pages: list and search, a customer's page, the forms, deactivation; tenant isolation;
French."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from orderflow.accounts.models import Contact, Customer, CustomerEvent
from orderflow.web.tests.conftest import seller_url
from orderflow.web.tests.test_french_pages import english_sentences, page_text


def test_the_list_searches_and_links_each_customer(as_olivia, corner_bar, alice, rival_customer):
    response = as_olivia.get(seller_url("customers"), {"q": "alice@"})
    assert response.status_code == 200
    assert response.context["customers"][0] == corner_bar
    assert rival_customer.name not in response.content.decode()
    assert seller_url("customer_detail", customer_id=corner_bar.pk) in response.content.decode()
    assert not as_olivia.get(seller_url("customers"), {"q": "nobody"}).context["customers"]


def test_the_customer_page_shows_notes_contacts_orders_and_log(as_olivia, corner_bar, alice, make_order):
    order = make_order("shop")
    response = as_olivia.get(seller_url("customer_detail", customer_id=corner_bar.pk))
    assert response.status_code == 200
    assert [o.pk for o in response.context["orders"]] == [order.pk]
    assert [c for c, _hours in response.context["contacts"]] == [alice]
    assert reverse("order_detail", kwargs={"seller_slug": "acme", "number": order.number}) in (
        response.content.decode()
    )
    assert {e["event"].type for e in response.context["log"]} == {"customer_created", "contact_added"}
    # and the order page links back to the customer
    page = as_olivia.get(reverse("order_detail", kwargs={"seller_slug": "acme", "number": order.number}))
    assert seller_url("customer_detail", customer_id=corner_bar.pk) in page.content.decode()


def test_a_customer_is_added_and_a_taken_domain_is_shown_on_its_field(as_olivia, corner_bar):
    response = as_olivia.post(
        seller_url("customer_new"), {"name": "Harbour", "email_domains": "harbour.example\ncornerbar.example"}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["email_domains"]
    assert not Customer.objects.filter(name="Harbour").exists()

    response = as_olivia.post(
        seller_url("customer_new"), {"name": "Harbour", "email_domains": "harbour.example", "notes": "VIP"}
    )
    harbour = Customer.objects.get(name="Harbour")
    assert response.status_code == 302
    assert response["Location"] == seller_url("customer_detail", customer_id=harbour.pk)
    assert (harbour.domain_names, harbour.notes) == (["harbour.example"], "VIP")


def test_a_contact_is_edited_with_their_own_hours_and_a_bad_day_is_named(as_olivia, corner_bar, alice):
    url = seller_url("contact_edit", customer_id=corner_bar.pk, contact_id=alice.pk)
    form = {
        "name": "Alice Martin",
        "email": "alice@cornerbar.example",
        "locale": "fr",
        "time_zone": "America/New_York",
        "preferred_channels": ["email", "sms"],
        "phone": "+14155550123",
        "hours": "own",
        "day_0": "09:00-12:00",
        "day_1": "9 to 5",
    }
    response = as_olivia.post(url, form)
    assert response.status_code == 400
    assert "day_1" in response.context["form"].errors
    assert Contact.objects.get(pk=alice.pk).locale == "en"

    response = as_olivia.post(url, {**form, "day_1": ""})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.locale, alice.preferred_channels, alice.schedule.schedule) == (
        "fr",
        ["email", "sms"],
        {"0": [[540, 720]], "1": [], "2": [], "3": [], "4": [], "5": [], "6": []},
    )


def test_a_duplicate_contact_email_is_shown_on_the_email_field(as_olivia, corner_bar, alice):
    response = as_olivia.post(
        seller_url("contact_new", customer_id=corner_bar.pk),
        {
            "name": "Al",
            "email": "alice@cornerbar.example",
            "locale": "en",
            "time_zone": "UTC",
            "hours": "seller",
        },
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["email"]
    assert not Contact.objects.filter(name="Al").exists()


def test_a_contact_is_deactivated_and_reactivated_from_the_customer_page(as_olivia, corner_bar, alice):
    as_olivia.post(seller_url("customer_contact_deactivate", customer_id=corner_bar.pk, contact_id=alice.pk))
    assert not Contact.objects.get(pk=alice.pk).is_active
    page = as_olivia.get(seller_url("customer_detail", customer_id=corner_bar.pk))
    assert 'data-testid="contact-deactivated"' in page.content.decode()
    as_olivia.post(seller_url("customer_contact_reactivate", customer_id=corner_bar.pk, contact_id=alice.pk))
    assert Contact.objects.get(pk=alice.pk).is_active
    assert CustomerEvent.objects.filter(contact=alice).count() == 3  # added, deactivated, reactivated


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("customer_detail", "get"),
        ("customer_edit", "get"),
        ("customer_edit", "post"),
        ("contact_new", "get"),
        ("contact_new", "post"),
    ],
)
def test_another_sellers_customer_is_not_found(client, rita, corner_bar, name, method):
    client.force_login(rita.user)
    url = seller_url(name, seller_slug="rival", customer_id=corner_bar.pk)
    assert getattr(client, method)(url).status_code == 404
    # nor through Acme's address, which Rita is not staff of
    assert client.get(seller_url(name, customer_id=corner_bar.pk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("contact_edit", "get"),
        ("contact_edit", "post"),
        ("customer_contact_deactivate", "post"),
        ("customer_contact_reactivate", "post"),
    ],
)
def test_a_contact_of_another_customer_or_seller_is_not_found(
    as_olivia, client, rita, acme, alice, rival_customer, name, method
):
    from orderflow.accounts.actions import add_contact, add_customer

    other = add_customer(acme, name="Other")
    # Alice under another customer of the same seller
    assert (
        getattr(as_olivia, method)(seller_url(name, customer_id=other.pk, contact_id=alice.pk)).status_code
        == 404
    )
    theirs = add_contact(rival_customer, name="Theirs", email="t@rival.example")
    url = seller_url(name, customer_id=rival_customer.pk, contact_id=theirs.pk)
    assert getattr(as_olivia, method)(url).status_code == 404
    assert Contact.objects.get(pk=alice.pk).is_active
    assert Contact.objects.get(pk=theirs.pk).is_active


def test_the_customers_pages_are_in_french(client, db):
    from orderflow.web.tests.test_french_pages import _parc

    with translation.override("fr"):
        owner, contact, _order = _parc()
    client.force_login(owner.user)
    customer = contact.customer
    urls = [
        reverse("customers", kwargs={"seller_slug": "parc"}),
        reverse("customer_new", kwargs={"seller_slug": "parc"}),
        reverse("customer_detail", kwargs={"seller_slug": "parc", "customer_id": customer.pk}),
        reverse("customer_edit", kwargs={"seller_slug": "parc", "customer_id": customer.pk}),
        reverse("contact_new", kwargs={"seller_slug": "parc", "customer_id": customer.pk}),
        reverse(
            "contact_edit",
            kwargs={"seller_slug": "parc", "customer_id": customer.pk, "contact_id": contact.pk},
        ),
    ]
    english = english_sentences()
    pages = {url: page_text(client.get(url)) for url in urls}
    left = {url: sorted(s for s in english if s in text) for url, text in pages.items()}
    assert {url: found for url, found in left.items() if found} == {}
