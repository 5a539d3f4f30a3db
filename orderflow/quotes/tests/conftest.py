"""Quote personas: Acme's services (the marketplace workflow), Alice's request for a campaign (a free
line without a price, waiting for a quote), and a draft quote Olivia priced."""

from __future__ import annotations

import datetime as dt

import pytest

from orderflow.core.actors import Actor
from orderflow.orders.actions import LineInput, place_order
from orderflow.orders.models import Order
from orderflow.quotes.actions import QuoteLineInput, create_quote
from orderflow.quotes.models import Quote
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
