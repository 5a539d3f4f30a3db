"""Every change to quotes. Import actions from here."""

from __future__ import annotations

from orderflow.quotes.actions.quotes import (
    QuoteLineInput,
    accept_quote,
    check_answerable,
    create_quote,
    decline_quote,
    expire_quotes,
    is_past_expiry,
    revise_quote,
    seller_today,
    send_quote,
    update_quote,
)

__all__ = [
    "QuoteLineInput",
    "accept_quote",
    "check_answerable",
    "create_quote",
    "decline_quote",
    "expire_quotes",
    "is_past_expiry",
    "revise_quote",
    "seller_today",
    "send_quote",
    "update_quote",
]
