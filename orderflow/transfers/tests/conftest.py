"""Transfers personas: an Acme order (services marketplace) placed by Alice, and a rival seller's order."""

from __future__ import annotations

import pytest

from orderflow.core.actors import Actor
from orderflow.orders.actions import LineInput, place_order
from orderflow.orders.models import Order
from orderflow.workflows.actions import install_order_type


@pytest.fixture
def order(make_order) -> Order:
    return make_order("services-marketplace")


@pytest.fixture
def rival_order(rival, rita, rival_customer) -> Order:
    from orderflow.accounts.actions import add_contact

    contact = add_contact(rival_customer, name="Ravi", email="ravi@rival.example")
    kind = install_order_type(rival, preset="services-marketplace", actor=Actor.system())
    return place_order(
        rival_customer,
        order_type=kind,
        actor=Actor.customer(contact),
        title="Rival job",
        lines=[LineInput("Work", 1, "10")],
    )
