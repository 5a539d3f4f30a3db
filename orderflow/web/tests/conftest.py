"""Fixtures for the seller workspace's tests: logged-in clients and URL helpers."""

from __future__ import annotations

import pytest
from django.urls import reverse


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
