"""Who sees an endpoint's full URL, and what the others see: the scheme and host, nothing that may carry a
credential."""

from __future__ import annotations

import pytest

from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.integrations.webhooks import masked_url, sees_full_urls


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("https://erp.example.com/hooks/abc?key=1", "https://erp.example.com/…"),
        ("https://user:pass@erp.example.com:8443/x#frag", "https://erp.example.com/…"),
        ("http://[2001:db8::1]:8080/hook?t=2", "http://[2001:db8::1]/…"),
        ("https://ERP.Example.com", "https://erp.example.com/…"),
    ],
)
def test_a_masked_url_keeps_the_scheme_and_host_only(url, masked):
    assert masked_url(url) == masked


@pytest.mark.parametrize(
    ("role", "can_write", "full"),
    [
        ("owner", True, True),
        ("manager", True, True),
        ("staff", True, False),
        ("owner", False, False),
        ("manager", False, False),
    ],
)
def test_owners_and_managers_see_full_urls_except_through_read_tokens(role, can_write, full):
    member = Membership(role=role)
    assert sees_full_urls(Actor(kind="staff", membership=member), can_write=can_write) is full


def test_the_system_sees_masked_urls():
    assert not sees_full_urls(Actor.system())
