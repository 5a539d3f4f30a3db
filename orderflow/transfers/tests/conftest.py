"""Transfers personas: the leads tests' Acme order (services marketplace) placed by Alice, and a rival
seller's order."""

from __future__ import annotations

from orderflow.leads.tests.conftest import order, rival_order

__all__ = ["order", "rival_order"]
