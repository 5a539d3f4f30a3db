"""The catalogue actions: who may change it, every rule of an item's values, and the log."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderflow.catalog.actions import create_item, discontinue_item, set_availability, update_item
from orderflow.catalog.models import Availability, Item, ItemEvent, ItemKind
from orderflow.catalog.selectors import items_for_customers, orderable_items, search_items
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Forbidden
from orderflow.workflows.actions import install_order_type


def test_owner_creates_an_item_and_it_is_logged(acme, olivia):
    item = create_item(
        acme,
        actor=Actor.staff(olivia),
        sku=" KEG-50 ",
        name="Lager keg",
        unit_price="189.5",
        tax_rate="8.875",
    )
    assert (item.sku, item.kind, item.unit_price, item.availability) == (
        "KEG-50",
        ItemKind.PRODUCT,
        Decimal("189.5"),
        Availability.AVAILABLE,
    )
    [event] = ItemEvent.objects.filter(item=item)
    assert event.type == "created"
    assert event.actor_user == olivia.user
    assert event.data["after"]["unit_price"] == "189.50"
    assert event.data["after"]["tax_rate"] == "8.875"


def test_a_manager_may_change_the_catalogue(acme, max_manager):
    item = create_item(acme, actor=Actor.staff(max_manager), sku="A", name="A thing", unit_price="1")
    assert item.pk


def test_staff_may_not_change_the_catalogue(acme, sam, keg):
    with pytest.raises(Forbidden):
        create_item(acme, actor=Actor.staff(sam), sku="X", name="X", unit_price="1")
    with pytest.raises(Forbidden):
        update_item(keg, actor=Actor.staff(sam), changes={"name": "Renamed"})
    with pytest.raises(Forbidden):
        set_availability(keg, availability="out_of_stock", actor=Actor.staff(sam))
    keg.refresh_from_db()
    assert (keg.name, keg.availability) == ("Lager keg 50 L", "available")


def test_another_sellers_owner_may_not_change_the_catalogue(acme, rita, keg):
    with pytest.raises(Forbidden):
        create_item(acme, actor=Actor.staff(rita), sku="X", name="X", unit_price="1")
    with pytest.raises(Forbidden):
        update_item(keg, actor=Actor.staff(rita), changes={"name": "Mine"})


def test_a_customer_may_not_change_the_catalogue(acme, alice, keg):
    with pytest.raises(Forbidden):
        set_availability(keg, availability="out_of_stock", actor=Actor.customer(alice))


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"sku": "", "name": "N", "unit_price": "1"}, "required", "sku"),
        ({"sku": "S", "name": "  ", "unit_price": "1"}, "required", "name"),
        ({"sku": "S" * 61, "name": "N", "unit_price": "1"}, "too_long", "sku"),
        ({"sku": "S", "name": "N", "unit": "u" * 31, "unit_price": "1"}, "too_long", "unit"),
        ({"sku": "S", "name": "N", "kind": "gift", "unit_price": "1"}, "invalid_kind", "kind"),
        (
            {"sku": "S", "name": "N", "availability": "maybe", "unit_price": "1"},
            "invalid_availability",
            "availability",
        ),
        ({"sku": "S", "name": "N", "unit_price": "-1"}, "invalid_price", "unit_price"),
        ({"sku": "S", "name": "N", "unit_price": "1.005"}, "invalid_price", "unit_price"),
        ({"sku": "S", "name": "N", "unit_price": "ten"}, "invalid_price", "unit_price"),
        ({"sku": "S", "name": "N", "unit_price": "NaN"}, "invalid_price", "unit_price"),
        ({"sku": "S", "name": "N", "unit_price": "10000000000"}, "invalid_price", "unit_price"),
        ({"sku": "S", "name": "N", "unit_price": "1", "tax_rate": "100.5"}, "invalid_tax_rate", "tax_rate"),
        ({"sku": "S", "name": "N", "unit_price": "1", "tax_rate": "-1"}, "invalid_tax_rate", "tax_rate"),
        ({"sku": "S", "name": "N", "unit_price": "1", "tax_rate": "5.0001"}, "invalid_tax_rate", "tax_rate"),
        ({"sku": "S", "name": "N"}, "price_required", "unit_price"),
        ({"sku": "S", "name": "N", "kind": "flat_fee"}, "price_required", "unit_price"),
        ({"sku": "S", "name": "N", "kind": "quote", "unit_price": "0"}, "price_not_allowed", "unit_price"),
    ],
)
def test_bad_values_are_refused_naming_the_field(acme, olivia, values, code, field):
    with pytest.raises(ActionError) as refused:
        create_item(acme, actor=Actor.staff(olivia), **values)
    assert (refused.value.code, refused.value.details["field"]) == (code, field)
    assert not Item.objects.exists()


def test_the_edges_of_the_rules_are_accepted(acme, olivia):
    actor = Actor.staff(olivia)
    free = create_item(acme, actor=actor, sku="FREE", name="Free sample", unit_price="0", tax_rate="100")
    assert ItemEvent.objects.get(item=free).data["after"]["tax_rate"] == "100"
    quote = create_item(acme, actor=actor, sku="Q", name="Custom door", kind="quote", tax_rate="0")
    assert (free.unit_price, free.tax_rate, quote.unit_price) == (Decimal(0), Decimal(100), None)


def test_a_duplicate_sku_is_refused(acme, olivia, keg, rival, rita):
    with pytest.raises(ActionError) as refused:
        create_item(acme, actor=Actor.staff(olivia), sku="KEG-50", name="Other", unit_price="1")
    assert refused.value.code == "duplicate_sku"
    # Another seller may use the same SKU
    assert create_item(rival, actor=Actor.staff(rita), sku="KEG-50", name="Theirs", unit_price="1").pk
    other = create_item(acme, actor=Actor.staff(olivia), sku="OTHER", name="Other", unit_price="1")
    with pytest.raises(ActionError) as refused:
        update_item(other, actor=Actor.staff(olivia), changes={"sku": "KEG-50"})
    assert refused.value.code == "duplicate_sku"


def test_the_backup_item_must_be_the_sellers_and_another_item(acme, olivia, keg, rival_item):
    actor = Actor.staff(olivia)
    with pytest.raises(ActionError) as refused:
        create_item(acme, actor=actor, sku="B", name="B", unit_price="1", backup_item=rival_item)
    assert (refused.value.code, refused.value.details["field"]) == ("unknown_backup_item", "backup_item")
    with pytest.raises(ActionError) as refused:
        create_item(acme, actor=actor, sku="B", name="B", unit_price="1", backup_item=999_999)
    assert refused.value.code == "unknown_backup_item"
    with pytest.raises(ActionError) as refused:
        update_item(keg, actor=actor, changes={"backup_item": keg.pk})
    assert refused.value.code == "backup_is_itself"
    assert Item.objects.filter(seller=acme).count() == 1


def test_the_order_type_must_be_the_sellers(acme, olivia, rival):
    theirs = install_order_type(rival, preset="shop", actor=Actor.system())
    ours = install_order_type(acme, preset="shop", actor=Actor.system())
    with pytest.raises(ActionError) as refused:
        create_item(acme, actor=Actor.staff(olivia), sku="S", name="S", unit_price="1", order_type=theirs)
    assert (refused.value.code, refused.value.details["field"]) == ("unknown_order_type", "order_type")
    item = create_item(acme, actor=Actor.staff(olivia), sku="S", name="S", unit_price="1", order_type=ours.pk)
    assert item.order_type == ours


def test_an_update_logs_the_before_and_after_of_what_changed(acme, olivia, keg, case):
    update_item(
        keg,
        actor=Actor.staff(olivia),
        changes={
            "name": "Lager keg 50 litres",
            "unit_price": "199.00",
            "tax_rate": "8.875",
            "backup_item": case,
        },
    )
    event = ItemEvent.objects.filter(item=keg).last()
    assert event is not None
    assert event.type == "changed"
    assert event.data == {
        "before": {"name": "Lager keg 50 L", "unit_price": "189.00", "backup_item": None},
        "after": {"name": "Lager keg 50 litres", "unit_price": "199.00", "backup_item": "CASE-24"},
    }


def test_an_update_that_changes_nothing_writes_nothing(acme, olivia, keg):
    update_item(keg, actor=Actor.staff(olivia), changes={"name": "Lager keg 50 L", "unit_price": "189"})
    assert ItemEvent.objects.filter(item=keg).count() == 1


def test_changing_the_kind_to_quote_needs_the_price_removed(acme, olivia, keg):
    with pytest.raises(ActionError) as refused:
        update_item(keg, actor=Actor.staff(olivia), changes={"kind": "quote"})
    assert refused.value.code == "price_not_allowed"
    item = update_item(keg, actor=Actor.staff(olivia), changes={"kind": "quote", "unit_price": None})
    assert (item.kind, item.unit_price) == ("quote", None)


def test_out_of_stock_is_one_logged_change(acme, olivia, keg):
    item = set_availability(keg, availability="out_of_stock", actor=Actor.staff(olivia))
    assert item.availability == "out_of_stock"
    event = ItemEvent.objects.filter(item=keg).last()
    assert event is not None
    assert (event.type, event.data) == (
        "availability_changed",
        {"before": {"availability": "available"}, "after": {"availability": "out_of_stock"}},
    )
    # Again: nothing new
    set_availability(keg, availability="out_of_stock", actor=Actor.staff(olivia))
    assert ItemEvent.objects.filter(item=keg).count() == 2


def test_discontinue(acme, olivia, keg):
    discontinue_item(keg, actor=Actor.staff(olivia))
    keg.refresh_from_db()
    assert keg.availability == "discontinued"
    assert ItemEvent.objects.filter(item=keg).last().type == "discontinued"


def test_the_log_is_append_only(keg):
    event = ItemEvent.objects.get(item=keg)
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        ItemEvent.objects.filter(item=keg).delete()


def test_search_by_sku_or_name_ignores_case_and_accents(acme, olivia, keg, case, rival_item):
    actor = Actor.staff(olivia)
    sponge = create_item(acme, actor=actor, sku="ÉP-1", name="Éponge à récurer", unit_price="2")
    assert list(search_items(acme, q="keg")) == [keg]
    assert list(search_items(acme, q="case-24")) == [case]
    assert list(search_items(acme, q="eponge")) == [sponge]
    assert list(search_items(acme, q="ÉPONGE RÉCURER")) == [sponge]
    assert list(search_items(acme, q="rival")) == []
    assert set(search_items(acme, q="lager")) == {keg, case}


def test_search_filters_by_kind_and_availability(acme, olivia, keg, case):
    quote = create_item(acme, actor=Actor.staff(olivia), sku="Q", name="Tap install", kind="quote")
    set_availability(case, availability="out_of_stock", actor=Actor.staff(olivia))
    assert list(search_items(acme, kind="quote")) == [quote]
    assert list(search_items(acme, availability="out_of_stock")) == [case]


def test_customers_see_out_of_stock_items_and_order_them_only_with_backorders(acme, olivia, keg, case):
    actor = Actor.staff(olivia)
    set_availability(case, availability="out_of_stock", actor=actor)
    gone = create_item(
        acme, actor=actor, sku="OLD", name="Old keg", unit_price="1", availability="discontinued"
    )
    assert set(items_for_customers(acme)) == {keg, case}
    assert gone not in items_for_customers(acme)
    assert list(orderable_items(acme)) == [keg]
    acme.allow_backorders = True
    acme.save()
    assert set(orderable_items(acme)) == {keg, case}
