"""Personas of the signed-in portal: Alice has a portal login; the Harbour Cafe is another customer of
Acme, with Carla (also a portal login); Rival Co's customer has Oscar (another seller's portal login)."""

from __future__ import annotations

import pytest

from orderflow.accounts.actions import add_contact, add_customer, create_portal_login
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.orders.actions import LineInput, place_order
from orderflow.workflows.actions import install_order_type


@pytest.fixture
def alice_login(alice):
    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    return alice


@pytest.fixture
def as_alice(client, alice_login):
    client.force_login(alice_login.user)
    return client


@pytest.fixture
def carla(acme):
    cafe = add_customer(acme, name="Harbour Cafe")
    carla = add_contact(cafe, name="Carla Diaz", email="carla@harbourcafe.example")
    create_portal_login(carla, password=PASSWORD, actor=Actor.system())
    return carla


@pytest.fixture
def oscar(rival_customer):
    oscar = add_contact(rival_customer, name="Oscar Reyes", email="oscar@rival.example")
    create_portal_login(oscar, password=PASSWORD, actor=Actor.system())
    return oscar


@pytest.fixture
def place_for(order_types):
    """Place a shop order for another contact's customer (their own order, by their own hand)."""

    def place(contact, title: str, *, order_type=None):
        order_type = order_type or order_types["shop"]
        return place_order(
            contact.customer,
            order_type=order_type,
            actor=Actor.customer(contact),
            title=title,
            lines=[LineInput("Coffee beans", 2, "9.50")],
        )

    return place


@pytest.fixture
def rival_shop(rival):
    return install_order_type(rival, preset="shop", actor=Actor.system())
