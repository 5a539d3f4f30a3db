"""The quote and confirmation actions: the only writers of quotes, terms, confirmations and acceptances."""
