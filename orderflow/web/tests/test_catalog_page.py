"""The catalogue settings page: list, search and filters, add and edit an item, the one-click
out-of-stock toggle (logged), the import, who may change what, and another seller's items (404)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from orderflow.accounts.actions import add_staff, create_seller, set_staff_language
from orderflow.catalog.actions import MAX_IMPORT_BYTES, create_item
from orderflow.catalog.models import CatalogImport, Item, ItemEvent
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.web.tests.conftest import seller_url
from orderflow.web.tests.test_french_pages import english_sentences, page_text


@pytest.fixture
def keg(acme, olivia) -> Item:
    return create_item(
        acme, actor=Actor.staff(olivia), sku="KEG-50", name="Lager keg 50 L", unit="keg", unit_price="189.00"
    )


@pytest.fixture
def quote(acme, olivia) -> Item:
    return create_item(acme, actor=Actor.staff(olivia), sku="TAP", name="Tap installation", kind="quote")


def _item_url(item: Item) -> str:
    return seller_url("catalog_item", seller_slug=item.seller.slug, item_id=item.pk)


def _skus(response) -> list[str]:
    return re.findall(r'data-testid="item-([^"]+)"', response.content.decode())


def test_the_list_searches_and_filters(as_olivia, keg, quote):
    response = as_olivia.get(seller_url("catalog"))
    assert response.status_code == 200
    assert _skus(response) == ["KEG-50", "TAP"]
    assert _skus(as_olivia.get(seller_url("catalog"), {"q": "keg"})) == ["KEG-50"]
    assert _skus(as_olivia.get(seller_url("catalog"), {"kind": "quote"})) == ["TAP"]
    assert _skus(as_olivia.get(seller_url("catalog"), {"availability": "out_of_stock"})) == []
    # A filter that is not understood is ignored
    assert _skus(as_olivia.get(seller_url("catalog"), {"kind": "nonsense"})) == ["KEG-50", "TAP"]


def test_the_catalogue_is_linked_from_the_workspace(as_olivia):
    page = as_olivia.get(seller_url("notification_settings")).content.decode()
    assert seller_url("catalog") in page


def test_an_owner_adds_an_item(as_olivia, acme):
    response = as_olivia.post(
        seller_url("catalog_item_new"),
        {
            "sku": "CASE-24",
            "name": "Lager case",
            "kind": "product",
            "unit_price": "32.50",
            "tax_rate": "5",
            "availability": "available",
        },
    )
    item = Item.objects.get(seller=acme, sku="CASE-24")
    assert response.status_code == 302
    assert response["Location"] == _item_url(item)
    assert ItemEvent.objects.get(item=item).type == "created"


def test_a_french_reader_types_prices_with_a_decimal_comma(as_olivia, acme, olivia):
    set_staff_language(olivia, language="fr", actor=Actor.staff(olivia))
    response = as_olivia.post(
        seller_url("catalog_item_new"),
        {
            "sku": "CASE-24",
            "name": "Caisse de lager",
            "kind": "product",
            "unit_price": "1 032,50",
            "tax_rate": "9,975",
            "availability": "available",
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(seller=acme, sku="CASE-24")
    assert (item.unit_price, item.tax_rate) == (Decimal("1032.50"), Decimal("9.975"))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"unit_price": "1.005"}, "unit_price"),
        ({"unit_price": "-3"}, "unit_price"),
        ({"unit_price": ""}, "unit_price"),
        ({"kind": "quote", "unit_price": "10"}, "unit_price"),
        ({"tax_rate": "120"}, "tax_rate"),
        ({"backup_sku": "NOPE"}, "backup_sku"),
        ({"sku": "KEG-50"}, "sku"),
    ],
)
def test_a_refused_item_shows_the_error_on_its_field_and_saves_nothing(as_olivia, acme, keg, values, field):
    data = {
        "sku": "NEW",
        "name": "New",
        "kind": "product",
        "unit_price": "1",
        "tax_rate": "0",
        "availability": "available",
        **values,
    }
    response = as_olivia.post(seller_url("catalog_item_new"), data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert list(Item.objects.filter(seller=acme)) == [keg]


def test_an_edit_is_logged_and_the_log_is_on_the_item_page(as_olivia, keg):
    response = as_olivia.post(
        _item_url(keg),
        {
            "sku": "KEG-50",
            "name": "Lager keg 50 litres",
            "kind": "product",
            "unit": "keg",
            "unit_price": "199",
            "tax_rate": "0",
            "availability": "available",
        },
    )
    assert response.status_code == 302
    keg.refresh_from_db()
    assert keg.name == "Lager keg 50 litres"
    event = ItemEvent.objects.filter(item=keg).last()
    assert event is not None
    assert (event.type, event.data["before"]["name"]) == ("changed", "Lager keg 50 L")
    page = as_olivia.get(_item_url(keg)).content.decode()
    log = page[page.index('data-testid="item-log"') :]
    assert "Lager keg 50 L → Lager keg 50 litres" in log
    assert "189.00 → 199.00" in log


def test_out_of_stock_is_one_click_logged_and_back_to_the_same_list(as_olivia, keg):
    response = as_olivia.post(
        seller_url("catalog_item_availability", item_id=keg.pk),
        {"availability": "out_of_stock", "back": "q=keg&page=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == seller_url("catalog") + "?q=keg&page=1"
    keg.refresh_from_db()
    assert keg.availability == "out_of_stock"
    event = ItemEvent.objects.filter(item=keg).last()
    assert event is not None
    assert (event.type, event.actor_name) == ("availability_changed", "Olivia")
    page = as_olivia.get(seller_url("catalog")).content.decode()
    assert 'data-testid="mark-available"' in page


def test_staff_see_the_catalogue_but_cannot_change_it(client, sam, keg):
    client.force_login(sam.user)
    page = client.get(seller_url("catalog"))
    assert page.status_code == 200
    assert 'data-testid="read-only"' in page.content.decode()
    assert 'data-testid="mark-out-of-stock"' not in page.content.decode()
    assert 'data-testid="add-item"' not in page.content.decode()
    assert client.get(_item_url(keg)).status_code == 200
    toggle = client.post(
        seller_url("catalog_item_availability", item_id=keg.pk), {"availability": "out_of_stock"}
    )
    edit = client.post(
        _item_url(keg),
        {
            "sku": "KEG-50",
            "name": "Mine",
            "kind": "product",
            "unit_price": "1",
            "tax_rate": "0",
            "availability": "available",
        },
    )
    upload = client.post(
        seller_url("catalog_import"), {"file": SimpleUploadedFile("c.csv", b"sku,name\nA,A\n")}
    )
    assert (toggle.status_code, edit.status_code, upload.status_code) == (403, 403, 403)
    keg.refresh_from_db()
    assert (keg.name, keg.availability) == ("Lager keg 50 L", "available")
    assert not CatalogImport.objects.exists()


def test_another_sellers_items_and_imports_are_not_found(client, acme, keg, rival, rita):
    client.force_login(rita.user)
    assert client.get(_item_url(keg)).status_code == 404
    assert client.get(seller_url("catalog_item", seller_slug="rival", item_id=keg.pk)).status_code == 404
    toggle = client.post(
        seller_url("catalog_item_availability", seller_slug="rival", item_id=keg.pk),
        {"availability": "out_of_stock"},
    )
    assert toggle.status_code == 404
    assert client.get(seller_url("catalog")).status_code == 404  # Acme's page
    record = CatalogImport.objects.create(seller=acme, file_format="csv", content=b"")
    assert (
        client.get(seller_url("catalog_import_detail", seller_slug="rival", import_id=record.pk)).status_code
        == 404
    )
    keg.refresh_from_db()
    assert keg.availability == "available"


def test_a_good_file_is_imported_and_its_outcome_shown(as_olivia, acme):
    upload = SimpleUploadedFile(
        "prices.csv", b"sku,name,unit_price\nA-1,Apple crate,12\nB-2,Berry tray,8.5\n"
    )
    response = as_olivia.post(seller_url("catalog_import"), {"file": upload})
    record = CatalogImport.objects.get(seller=acme)
    assert response.status_code == 302
    assert response["Location"] == seller_url("catalog_import_detail", import_id=record.pk)
    page = as_olivia.get(response["Location"]).content.decode()
    assert 'data-testid="import-status">Imported<' in page
    assert Item.objects.filter(seller=acme).count() == 2


def test_a_bad_file_lists_its_errors_by_row_and_column(as_olivia, acme):
    upload = SimpleUploadedFile(
        "prices.csv", b"sku,name,unit_price\nA-1,Apple crate,12\nB-2,Berry tray,8.555\n"
    )
    response = as_olivia.post(seller_url("catalog_import"), {"file": upload}, follow=True)
    page = response.content.decode()
    table = page[page.index('data-testid="import-errors"') :]
    assert re.search(r"<td class=\"num\">3</td><td>unit_price</td>", table)
    assert not Item.objects.filter(seller=acme).exists()


def test_a_file_that_is_not_a_spreadsheet_or_too_large_is_refused_on_the_page(as_olivia, acme):
    picture = SimpleUploadedFile("catalogue.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100))
    response = as_olivia.post(seller_url("catalog_import"), {"file": picture})
    assert response.status_code == 400
    assert 'id="id_file_error"' in response.content.decode()
    huge = SimpleUploadedFile("catalogue.csv", b"sku,name\n" + b"A,A\n" * (MAX_IMPORT_BYTES // 4))
    response = as_olivia.post(seller_url("catalog_import"), {"file": huge})
    assert response.status_code == 400
    assert not CatalogImport.objects.exists()


def test_the_catalogue_pages_are_in_french_for_a_french_shop(client, db):
    with translation.override("fr"):
        seller = create_seller(name="Boutique du Parc", slug="parc", locale="fr", currency="CAD")
        owner = add_staff(seller, username="claire", password=PASSWORD, first_name="Claire", role="owner")
        item = create_item(seller, actor=Actor.staff(owner), sku="EP-1", name="Éponge", unit_price="2.50")
    client.force_login(owner.user)
    client.post(
        seller_url("catalog_item_availability", seller_slug="parc", item_id=item.pk),
        {"availability": "out_of_stock"},
    )
    client.post(
        seller_url("catalog_import", seller_slug="parc"),
        {"file": SimpleUploadedFile("c.csv", b"sku,name,unit_price\nA,A,-1\n")},
    )
    record = CatalogImport.objects.get(seller=seller)
    english = english_sentences()
    urls = [
        seller_url("catalog", seller_slug="parc"),
        seller_url("catalog_item_new", seller_slug="parc"),
        seller_url("catalog_item", seller_slug="parc", item_id=item.pk),
        seller_url("catalog_import_detail", seller_slug="parc", import_id=record.pk),
    ]
    pages = {url: page_text(client.get(url)) for url in urls}
    left = {url: sorted(s for s in english if s in text) for url, text in pages.items()}
    assert {url: found for url, found in left.items() if found} == {}
    with translation.override("fr"):
        assert translation.gettext("Out of stock") in pages[urls[2]]
        assert translation.gettext("Catalogue import") in pages[urls[3]]
