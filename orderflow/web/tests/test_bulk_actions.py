"""Bulk actions on Manage orders: tick orders, assign / move / archive them, and see what became of
each one. Plain forms (no JavaScript), CSRF-protected, confined to the member's seller."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from orderflow.core.actors import Actor
from orderflow.orders.actions import place_order
from orderflow.orders.models import EventType, Order, OrderEvent
from orderflow.workflows.actions import install_order_type

DASHBOARD = reverse("dashboard", kwargs={"seller_slug": "acme"})
BULK = reverse("dashboard_bulk", kwargs={"seller_slug": "acme"})


def results(response) -> dict[int, tuple[bool, str]]:
    """Order number -> (done, refusal code) as the result page lists them."""
    page = response.content.decode()
    return {
        int(number): (done == "true", code)
        for number, done, code in re.findall(
            r'data-testid="bulk-result" data-number="(\d+)" data-done="(true|false)" data-code="([a-z_]*)"',
            page,
        )
    }


@pytest.fixture
def orders(make_order):
    """#1 and #2 new shop orders, #3 a shop order already picked up (closed)."""
    return [
        make_order("shop", title="Birthday cake"),
        make_order("shop", title="Bread"),
        make_order("shop", path=("in_preparation", "ready_for_pickup", "picked_up"), title="Old one"),
    ]


def test_the_list_has_a_checkbox_per_order_and_the_bulk_form(as_olivia, orders):
    page = as_olivia.get(DASHBOARD).content.decode()

    assert re.findall(r'<input type="checkbox" name="orders" value="(\d+)"', page) == ["3", "2", "1"]
    assert f'action="{BULK}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    for operation in ("assign", "choose_state", "archive"):
        assert f'name="operation" value="{operation}"' in page


def test_select_all_on_the_page_ticks_every_row_without_javascript(as_olivia, orders):
    page = as_olivia.get(DASHBOARD, {"select": "page"}).content.decode()
    assert len(re.findall(r'name="orders" value="\d+" id="select-\d+" checked', page)) == 3
    page = as_olivia.get(DASHBOARD).content.decode()
    assert " checked " not in page.split("<tbody>")[1]


def test_assigning_several_orders_reports_each(as_olivia, orders, sam):
    response = as_olivia.post(BULK, {"orders": ["1", "2"], "operation": "assign", "assignee": str(sam.pk)})

    assert response.status_code == 200
    assert results(response) == {1: (True, ""), 2: (True, "")}
    assert set(Order.objects.filter(number__in=[1, 2]).values_list("assignee", flat=True)) == {sam.pk}
    assert OrderEvent.objects.filter(type=EventType.ASSIGNED).count() == 2


def test_assigning_to_nobody_unassigns(as_olivia, orders, sam, olivia):
    as_olivia.post(BULK, {"orders": ["1", "2"], "operation": "assign", "assignee": str(sam.pk)})
    response = as_olivia.post(BULK, {"orders": ["1", "2"], "operation": "assign", "assignee": ""})
    assert results(response) == {1: (True, ""), 2: (True, "")}
    assert set(Order.objects.filter(number__in=[1, 2]).values_list("assignee", flat=True)) == {None}


def test_one_order_refused_the_others_done(as_olivia, orders):
    response = as_olivia.post(BULK, {"orders": ["1", "3", "2"], "operation": "move", "to": "in_preparation"})

    assert results(response) == {1: (True, ""), 3: (False, "final_state"), 2: (True, "")}
    # The refusal says why, in words
    assert "Refused:" in response.content.decode()
    assert Order.objects.get(number=3).state == "picked_up"
    assert set(Order.objects.filter(number__in=[1, 2]).values_list("state", flat=True)) == {"in_preparation"}


def test_a_french_reader_reads_the_refusal_in_french(as_olivia, orders, olivia):
    from orderflow.accounts.actions import set_staff_language

    set_staff_language(olivia, language="fr", actor=Actor.staff(olivia))
    response = as_olivia.post(BULK, {"orders": ["1"], "operation": "archive"})

    assert results(response) == {1: (False, "not_archivable")}
    page = response.content.decode()
    assert "Refusé :" in page
    assert "Only finished or cancelled orders can be archived." not in page


def test_archiving_archives_what_may_be_archived(as_olivia, orders):
    response = as_olivia.post(BULK, {"orders": ["3", "1"], "operation": "archive"})
    assert results(response) == {3: (True, ""), 1: (False, "not_archivable")}
    assert Order.objects.get(number=3).archived
    assert not Order.objects.get(number=1).archived


def test_moving_first_offers_only_the_statuses_all_selected_orders_allow(as_olivia, make_order, orders):
    preparing = make_order("shop", path=("in_preparation",))

    same = as_olivia.post(BULK, {"orders": ["1", "2"], "operation": "choose_state"})
    assert same.status_code == 200
    offered = set(re.findall(r'name="to" value="([a-z_]+)"', same.content.decode()))
    assert "in_preparation" in offered
    mixed = as_olivia.post(BULK, {"orders": ["1", str(preparing.number)], "operation": "choose_state"})
    offered = set(re.findall(r'name="to" value="([a-z_]+)"', mixed.content.decode()))
    assert "in_preparation" not in offered
    # Nothing was changed by showing the choice
    assert Order.objects.get(number=1).version == orders[0].version


def test_a_move_that_needs_a_note_asks_for_it(as_olivia, make_order):
    orders = [make_order("services-marketplace", path=("approved", "in_progress")) for _ in range(2)]
    numbers = [str(order.number) for order in orders]

    page = as_olivia.post(BULK, {"orders": numbers, "operation": "choose_state"}).content.decode()
    form = page[page.index('value="waiting_for_partner"') :].split("</form>")[0]
    assert re.search(r'<textarea name="note"[^>]* required', form)

    response = as_olivia.post(
        BULK, {"orders": numbers, "operation": "move", "to": "waiting_for_partner", "note": "Venue closed"}
    )
    assert set(results(response).values()) == {(True, "")}


def test_no_order_ticked_changes_nothing_and_says_so(as_olivia, orders):
    response = as_olivia.post(BULK, {"operation": "assign", "back": "type=shop&page=2"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{DASHBOARD}?type=shop&page=2"
    assert any(m.level_tag == "error" for m in response.context["messages"])


@pytest.mark.parametrize("bad", [["abc"], ["0"], ["-1"], ["1" * 12]])
def test_order_numbers_that_are_not_numbers_change_nothing(as_olivia, orders, sam, bad):
    response = as_olivia.post(BULK, {"orders": ["1", *bad], "operation": "assign", "assignee": str(sam.pk)})
    assert response.status_code == 302
    assert not Order.objects.filter(assignee=sam).exists()


def test_back_only_ever_leads_to_the_list(as_olivia, orders):
    response = as_olivia.post(BULK, {"operation": "assign", "back": "//evil.example/x"})
    assert response["Location"].startswith(DASHBOARD + "?")


def test_another_sellers_order_number_is_refused_and_untouched(
    as_olivia, orders, sam, rival, rita, rival_customer
):
    # Given Rival has an order #4, which Acme does not have
    rival_type = install_order_type(rival, preset="shop", actor=Actor.system())
    rival_orders = [
        place_order(rival_customer, order_type=rival_type, actor=Actor.staff(rita), title=f"Rival {n}")
        for n in range(4)
    ]

    response = as_olivia.post(BULK, {"orders": ["1", "4"], "operation": "assign", "assignee": str(sam.pk)})

    assert results(response) == {1: (True, ""), 4: (False, "not_found")}
    assert all(order.version == Order.objects.get(pk=order.pk).version == 1 for order in rival_orders)
    assert not Order.objects.filter(seller=rival, assignee__isnull=False).exists()


def test_another_sellers_staff_member_cannot_be_the_assignee(as_olivia, orders, rita):
    response = as_olivia.post(BULK, {"orders": ["1"], "operation": "assign", "assignee": str(rita.pk)})
    assert response.status_code == 302
    assert Order.objects.get(number=1).assignee_id is None


def test_another_sellers_bulk_page_is_404(client, orders, rita):
    client.force_login(rita.user)
    response = client.post(BULK, {"orders": ["1"], "operation": "archive"})
    assert response.status_code == 404


def test_the_bulk_form_needs_the_csrf_token(olivia, orders, sam):
    client = Client(enforce_csrf_checks=True)
    client.force_login(olivia.user)

    response = client.post(BULK, {"orders": ["1"], "operation": "assign", "assignee": str(sam.pk)})

    assert response.status_code == 403
    assert Order.objects.get(number=1).assignee_id is None


def test_only_post_is_accepted(as_olivia, orders):
    assert as_olivia.get(BULK, {"orders": ["1"], "operation": "archive"}).status_code == 405
