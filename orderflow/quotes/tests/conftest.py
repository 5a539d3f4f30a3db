"""Quote personas: Acme's services (the marketplace workflow), Alice's request for a campaign (a free
line without a price, waiting for a quote), and a draft quote Olivia priced. For customer confirmations
(003): Acme's terms, a quote-to-order order of Corner Bar with a quote, and contacts in and out of the
customer's domain (cornerbar.example)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from orderflow.accounts.models import Contact
from orderflow.core.actors import Actor
from orderflow.orders.actions import LineInput, place_order
from orderflow.orders.models import Order
from orderflow.quotes.actions import QuoteLineInput, create_quote
from orderflow.quotes.actions.terms import publish_terms
from orderflow.quotes.models import Quote, QuoteLine, Terms
from orderflow.workflows.actions import install_order_type
from orderflow.workflows.models import OrderType


@pytest.fixture
def services(acme) -> OrderType:
    return install_order_type(acme, preset="services-marketplace", actor=Actor.system())


@pytest.fixture
def request_order(services, corner_bar, alice) -> Order:
    return place_order(
        corner_bar,
        order_type=services,
        actor=Actor.customer(alice),
        title="Spring campaign",
        lines=[LineInput("Social media campaign for the spring menu")],
    )


@pytest.fixture
def draft(request_order, olivia) -> Quote:
    return create_quote(
        request_order,
        actor=Actor.staff(olivia),
        lines=[
            QuoteLineInput("Campaign design", 1, "800.00", "8.875"),
            QuoteLineInput("Posts, per week", 4, "150.00"),
        ],
        expires_on=dt.date.today() + dt.timedelta(days=14),
        completion_on=dt.date.today() + dt.timedelta(days=40),
        notes="Includes two rounds of changes.",
    )


TERMS_BODY = "1. Payment within 30 days of the invoice.\n2. Hardware carries the maker's warranty."


@pytest.fixture
def terms(acme, olivia) -> Terms:
    return publish_terms(acme, title="General terms", body=TERMS_BODY, actor=Actor.staff(olivia))


@pytest.fixture
def make_quote() -> Callable[..., Quote]:
    """A quote version of an order, made directly (the quote editor is another action's)."""

    def make(order: Order, *, version: int = 1, days: int = 30, **fields: Any) -> Quote:
        quote = Quote.objects.create(
            seller_id=order.seller_id,
            order=order,
            version=version,
            currency=order.currency,
            expires_on=timezone.localdate() + dt.timedelta(days=days),
            completion_on=timezone.localdate() + dt.timedelta(days=45),
            created_by_name="Olivia",
            created_at=timezone.now(),
            **fields,
        )
        QuoteLine.objects.create(
            quote=quote, position=1, description="Firewall appliance", quantity=Decimal("3"),
            unit_price=Decimal("1249.00"), tax_rate=Decimal("8.25"),
        )  # fmt: skip
        QuoteLine.objects.create(
            quote=quote, position=2, description="Installation day", quantity=Decimal("1.5"),
            unit_price=Decimal("980.00"),
        )  # fmt: skip
        return quote

    return make


@pytest.fixture
def proposal(make_order) -> Order:
    return make_order("quote-to-order", title="Network refresh")


@pytest.fixture
def quote(proposal, make_quote) -> Quote:
    return make_quote(proposal)


def _contact(customer: Any, name: str, email: str) -> Contact:
    # Straight to the table: these addresses are what an import or an old record may hold.
    return Contact.objects.create(customer=customer, name=name, email=email, preferred_channels=["email"])


@pytest.fixture
def outsiders(corner_bar) -> dict[str, Contact]:
    return {
        "gmail": _contact(corner_bar, "Bob Free", "bob@gmail.com"),
        "lookalike": _contact(corner_bar, "Eve Evil", "eve@cornerbar.example.evil"),
        "suffix": _contact(corner_bar, "Sub Domain", "sub@mail.cornerbar.example"),
        "prefix": _contact(corner_bar, "Not Corner", "x@notcornerbar.example"),
    }


@pytest.fixture
def carl(corner_bar) -> Contact:
    """In the domain, written in capitals with a trailing dot."""
    return _contact(corner_bar, "Carl Upper", "Carl@CornerBar.Example.")


@pytest.fixture
def immutable_rows_removed(transactional_db):
    """For a test on a live server (`transactional_db`): at its end, the terms and acceptances it made
    are removed with the database's refusal lifted for a moment, so the tables can be emptied after it."""
    yield
    from django.db import connection

    from orderflow.core.immutable import _statements

    tables = ("quotes_acceptance", "quotes_terms")  # the evidence before the terms it points at
    with connection.cursor() as cursor:
        for table in tables:
            for statement in _statements(table).get(connection.vendor, ([], []))[1]:
                cursor.execute(statement)
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        for table in tables:
            for statement in _statements(table).get(connection.vendor, ([], []))[0]:
                cursor.execute(statement)
