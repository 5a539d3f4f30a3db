"""The order page writes money, dates, times and quantities as its reader does: a French member of a
Quebec seller reads `7,25 $ CA` and `2 déc. 2026, 10 h 30 HNE`, an English one `CA$7.25` and
`Dec 2, 2026, 10:30 AM EST`; never a currency code after an amount, never an ISO date."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine

from orderflow.accounts.actions import set_staff_language
from orderflow.core.actors import Actor
from orderflow.orders.actions import refund_order, set_estimated_completion
from orderflow.web.tests.conftest import order_url

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
REFUNDED_AT = dt.datetime(2026, 12, 3, 19, 5, tzinfo=dt.UTC)  # 14 h 05 in Toronto


def text_of(page: str) -> str:
    """What a person reads: the page without its tags (and their machine attributes) and scripts."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def refunded(maple_order, chloe):
    set_estimated_completion(maple_order, date=dt.date(2026, 12, 5), actor=Actor.staff(chloe))
    with time_machine.travel(REFUNDED_AT, tick=False):
        refund_order(maple_order, amount="7.25", reason="Bouteille cassée", actor=Actor.staff(chloe))
    return maple_order


def test_a_french_member_reads_french_money_dates_times_and_quantities(client, chloe, refunded):
    client.force_login(chloe.user)

    text = text_of(client.get(order_url(refunded)).content.decode())

    assert "7,25\xa0$\xa0CA" in text  # the total, the refund and its line in the activity log
    assert "6,75\xa0$\xa0CA" in text  # a line's amount
    assert "4,50\xa0$\xa0CA" in text  # its unit price
    assert " 1,5 " in text  # its quantity
    assert "2 déc. 2026, 10 h 30 HNE" in text  # submitted, in the seller's zone with its name
    assert "3 déc. 2026, 14 h 05 HNE" in text  # the refund
    assert "5 déc. 2026" in text  # estimated completion
    assert "Remboursement de 7,25\xa0$\xa0CA" in text
    assert "CAD" not in text
    assert not ISO_DATE.search(text), ISO_DATE.search(text)


def test_an_english_member_reads_the_same_order_in_english(client, chloe, refunded):
    set_staff_language(chloe, language="en", actor=Actor.staff(chloe))
    client.force_login(chloe.user)

    text = text_of(client.get(order_url(refunded)).content.decode())

    assert "CA$7.25" in text
    assert "CA$6.75" in text
    assert " 1.5 " in text
    assert "Dec 2, 2026, 10:30\u202fAM EST" in text
    assert "Dec 5, 2026" in text
    assert "Refunded CA$7.25" in text
    assert "CAD" not in text
    assert not ISO_DATE.search(text), ISO_DATE.search(text)


def test_a_whole_quantity_shows_no_decimals(client, chloe, maple_order):
    client.force_login(chloe.user)

    page = client.get(order_url(maple_order)).content.decode()

    assert '<td class="num" data-label="Qté">1</td>' in page  # the paper bag: 1, not 1.000
    assert "1.000" not in page
    assert "1,000" not in page


def test_the_refund_form_and_its_message_are_in_the_members_money(client, chloe, maple_order):
    client.force_login(chloe.user)
    text = text_of(client.get(order_url(maple_order)).content.decode())
    assert "Montant ($\xa0CA)" in text  # the field's label
    assert "Jusqu\u2019à 7,25\xa0$\xa0CA peuvent être remboursés." in text

    response = client.post(
        order_url(maple_order, "order_refund"), {"amount": "2.50", "reason": "Sac déchiré"}, follow=True
    )

    assert "2,50\xa0$\xa0CA remboursés." in html.unescape(response.content.decode())
