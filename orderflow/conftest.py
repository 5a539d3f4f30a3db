"""Named personas, built through the real actions.

Acme Supplies (seller) has Olivia (owner), Sam (staff) and Max (manager). Its customer, the Corner Bar,
has two contacts: Alice (email, English, New York) and Bruno (SMS, French, Paris). Rival Co is another
seller, with Rita, used to prove that one tenant never sees another's data. The Érablière (a Quebec
seller, in French and Canadian dollars) has Chloé (owner) and its customer Manon (email and SMS, French,
Toronto's time zone), for money, dates and times as each reader reads them.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from orderflow.accounts.actions import add_contact, add_customer, add_staff, create_seller
from orderflow.accounts.models import Contact, Customer, Membership, Seller
from orderflow.core.actors import Actor
from orderflow.orders.actions import LineInput, place_order, transition_order
from orderflow.orders.models import Order
from orderflow.workflows.actions import install_order_type
from orderflow.workflows.loader import preset_keys
from orderflow.workflows.models import OrderType
from orderflow.workflows.selectors import forget_workflows

PASSWORD = "correct-horse-battery"


@pytest.fixture
def acme(db) -> Seller:
    return create_seller(name="Acme Supplies", slug="acme", time_zone="America/New_York", currency="USD")


@pytest.fixture
def olivia(acme) -> Membership:
    return add_staff(acme, username="olivia", password=PASSWORD, first_name="Olivia", role="owner")


@pytest.fixture
def sam(acme) -> Membership:
    return add_staff(acme, username="sam", password=PASSWORD, first_name="Sam", role="staff")


@pytest.fixture
def corner_bar(acme) -> Customer:
    return add_customer(acme, name="Corner Bar", kind="bar", email_domain="cornerbar.example")


@pytest.fixture
def alice(corner_bar) -> Contact:
    return add_contact(
        corner_bar,
        name="Alice Martin",
        email="alice@cornerbar.example",
        time_zone="America/New_York",
        preferred_channels=["email"],
    )


@pytest.fixture
def bruno(corner_bar) -> Contact:
    return add_contact(
        corner_bar,
        name="Bruno Petit",
        phone="+33612345678",
        locale="fr",
        time_zone="Europe/Paris",
        preferred_channels=["sms"],
    )


@pytest.fixture
def rival(db) -> Seller:
    return create_seller(name="Rival Co", slug="rival")


@pytest.fixture
def rita(rival) -> Membership:
    return add_staff(rival, username="rita", password=PASSWORD, first_name="Rita", role="owner")


@pytest.fixture
def rival_customer(rival) -> Customer:
    return add_customer(rival, name="Rival's Customer")


@pytest.fixture
def erabliere(db) -> Seller:
    return create_seller(
        name="Érablière du Village", slug="erabliere", time_zone="America/Toronto", locale="fr",
        currency="CAD",
    )  # fmt: skip


@pytest.fixture
def chloe(erabliere) -> Membership:
    return add_staff(erabliere, username="chloe", password=PASSWORD, first_name="Chloé", role="owner")


@pytest.fixture
def manon(erabliere) -> Contact:
    bistro = add_customer(erabliere, name="Bistro Saint-Denis")
    return add_contact(
        bistro,
        name="Manon Roy",
        email="manon@bistro.example",
        phone="+15145550123",
        locale="fr",
        time_zone="America/Toronto",
        preferred_channels=["email", "sms"],
    )


@pytest.fixture
def maple_order(erabliere, manon, chloe) -> Order:
    """A shop order Manon placed on Dec 2, 2026 at 10:30 in Toronto (15:30 UTC): 1.5 at 4.50 and 1 at 0.50,
    7.25 CAD in all."""
    shop = install_order_type(erabliere, preset="shop", actor=Actor.system())
    with time_machine.travel(dt.datetime(2026, 12, 2, 15, 30, tzinfo=dt.UTC), tick=False):
        return place_order(
            manon.customer,
            order_type=shop,
            actor=Actor.customer(manon),
            title="Sirop pour le bistro",
            lines=[LineInput("Sirop d'érable, 1 L", "1.5", "4.50"), LineInput("Sac en papier", 1, "0.50")],
        )


@pytest.fixture
def order_types(acme) -> dict[str, OrderType]:
    """One order type per preset for Acme, keyed by preset."""
    return {key: install_order_type(acme, preset=key, actor=Actor.system()) for key in preset_keys()}


@pytest.fixture
def make_order(order_types, corner_bar, alice, olivia) -> Callable[..., Order]:
    """Place an order of a preset as Alice; `path` walks it through states as `by` (default Olivia)."""

    def make(preset: str, *, path: tuple[str, ...] = (), by: Actor | None = None, **kwargs: Any) -> Order:
        kwargs.setdefault(
            "lines", [LineInput("Crate of lemonade", 3, "12.50", backup_description="Orangeade")]
        )
        order = place_order(corner_bar, order_type=order_types[preset], actor=Actor.customer(alice), **kwargs)
        for state in path:
            order = transition_order(
                order, to=state, actor=by or Actor.staff(olivia), note=_note_for(order, state)
            )
        return order

    return make


def _note_for(order: Order, state: str) -> str:
    transition = order.workflow.transition(order.state, state)
    return "Moved by the test" if transition is not None and transition.note == "required" else ""


@pytest.fixture(autouse=True)
def dns(monkeypatch) -> dict[str, list[list[str]]]:
    """Name lookups stay on this machine (the outbound guard resolves every URL's host when it is
    entered): addresses and `localhost` resolve as usual; a name a test lists here answers with its
    addresses, one list per lookup with the last one repeated (an answer that changes: DNS rebinding);
    any other name is unknown."""
    answers: dict[str, list[list[str]]] = {}
    system = socket.getaddrinfo

    def lookup(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name in answers:
            queue = answers[name]
            found = queue.pop(0) if len(queue) > 1 else queue[0]
            return [_address_info(address, port) for address in found if family in (0, _family(address))]
        if not name or name == "localhost":
            return system(host, port, family, type, proto, flags)
        return system(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    return answers


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _address_info(address: str, port: Any) -> tuple[Any, ...]:
    sockaddr = (address, int(port or 0), 0, 0) if ":" in address else (address, int(port or 0))
    return (_family(address), socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)


@pytest.fixture(autouse=True)
def _fresh_workflow_cache():
    """Rolled-back tests give ids out again (SQLite), to versions of other workflows."""
    forget_workflows()


@pytest.fixture(scope="session", autouse=True)
def _no_stray_sessions_at_teardown(django_db_setup, django_db_blocker):
    """The browser tests' live server answers from threads that can still hold a PostgreSQL session
    when the suite ends, and PostgreSQL refuses to drop a database someone is connected to. Close
    those sessions just before pytest-django drops the test database (this runs first at teardown)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings, tmp_path_factory):
    """Attachments a test stores land in a folder of its own, never in the project's var/."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
