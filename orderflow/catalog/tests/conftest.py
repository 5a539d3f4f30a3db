"""Catalogue personas: Acme's manager Max, and a few items made through the actions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderflow.accounts.actions import add_staff
from orderflow.catalog.actions import create_item
from orderflow.catalog.models import Item
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor


@pytest.fixture
def max_manager(acme):
    return add_staff(acme, username="max", password=PASSWORD, first_name="Max", role="manager")


@pytest.fixture
def keg(acme, olivia) -> Item:
    return create_item(
        acme,
        actor=Actor.staff(olivia),
        sku="KEG-50",
        name="Lager keg 50 L",
        unit="keg",
        unit_price=Decimal("189.00"),
        tax_rate=Decimal("8.875"),
    )


@pytest.fixture
def case(acme, olivia) -> Item:
    return create_item(
        acme,
        actor=Actor.staff(olivia),
        sku="CASE-24",
        name="Lager case of 24",
        unit="case",
        unit_price="32.50",
    )


@pytest.fixture
def rival_item(rival, rita) -> Item:
    return create_item(rival, actor=Actor.staff(rita), sku="R-1", name="Rival widget", unit_price="5")
