"""Fixtures for the seller workspace's tests: logged-in clients and URL helpers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from orderflow.accounts.actions import add_staff
from orderflow.conftest import PASSWORD


@pytest.fixture(autouse=True)
def plain_static_files(settings, tmp_path):
    """Pages link their CSS with {% static %}; the suite runs without collectstatic, so it must not
    need the manifest that production's storage reads (nor warn that STATIC_ROOT is missing)."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def as_olivia(client, olivia):
    client.force_login(olivia.user)
    return client


def order_url(order, name: str = "order_detail", **kwargs) -> str:
    return reverse(name, kwargs={"seller_slug": order.seller.slug, "number": order.number, **kwargs})


def seller_url(name: str, seller_slug: str = "acme", **kwargs) -> str:
    return reverse(name, kwargs={"seller_slug": seller_slug, **kwargs})


# A Wednesday afternoon: inside the default delivery hours both in New York (Alice) and Paris (Bruno).
DAYTIME = dt.datetime(2026, 6, 10, 14, 0, tzinfo=ZoneInfo("America/New_York"))
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def max_manager(acme):
    return add_staff(acme, username="max", password=PASSWORD, first_name="Max", role="manager")


@pytest.fixture
def sandbox(settings):
    """Email, SMS and messenger are kept as SandboxMessage rows, as in the demo."""
    settings.NOTIFICATIONS_SANDBOX = True


def run_worker() -> int:
    """Send everything due now, as the worker would, one step at a time."""
    from orderflow.notifications.worker import Worker

    worker, sent = Worker(name="test-worker"), 0
    while done := worker.run_once():
        sent += done
    return sent
