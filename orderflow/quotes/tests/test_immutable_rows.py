"""Terms and acceptances are written once: the app refuses every way to change them, and so does the
database, even to raw SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from orderflow.core.immutable import AppendOnlyError
from orderflow.quotes.models import Terms


@pytest.fixture
def terms(acme) -> Terms:
    body = "Payment within 30 days."
    return Terms.objects.create(
        seller=acme,
        version=1,
        title="General terms",
        body=body,
        sha256=Terms.digest(body),
        created_by_name="Olivia",
        created_at=timezone.now(),
    )


def test_the_app_refuses_to_change_saved_terms(terms):
    terms.body = "Payment on receipt."
    with pytest.raises(AppendOnlyError):
        terms.save()
    with pytest.raises(AppendOnlyError):
        terms.delete()
    with pytest.raises(AppendOnlyError):
        Terms.objects.filter(pk=terms.pk).update(body="Payment on receipt.")
    with pytest.raises(AppendOnlyError):
        Terms.objects.filter(pk=terms.pk).delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE quotes_terms SET body = 'Payment on receipt.' WHERE id = %s",
        "DELETE FROM quotes_terms WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_changes(terms, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [terms.pk])
    terms.refresh_from_db()
    assert terms.body == "Payment within 30 days."
    assert terms.sha256 == Terms.digest(terms.body)
