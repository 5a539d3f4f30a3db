"""Two people accepting at once (PostgreSQL, real transactions in two threads): exactly one acceptance
is kept; the other is told it was already accepted."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.quotes.actions.confirmations import accept_confirmation, send_confirmation, shown
from orderflow.quotes.models import Acceptance, Confirmation, ConfirmationStatus

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks in concurrent transactions: PostgreSQL"
)


@pytest.mark.parametrize("same_confirmation", [True, False], ids=["one-link", "two-links"])
def test_two_people_accepting_at_once_leave_exactly_one_acceptance(
    immutable_rows_removed, quote, alice, carl, olivia, terms, same_confirmation
):
    # Given Alice and Carl each hold an approval link (or share one) of the same quote
    first = send_confirmation(quote, contact=alice, actor=Actor.staff(olivia))
    second = first if same_confirmation else send_confirmation(quote, contact=carl, actor=Actor.staff(olivia))
    pages = [(first, shown(first).token, alice), (second, shown(second).token, carl)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(confirmation: Confirmation, token: str, contact) -> None:
        try:
            barrier.wait()
            accept_confirmation(
                confirmation,
                shown_token=token,
                contact_id=contact.pk,
                agree="on",
                authorised="on",
                user=None,
                ip_address="203.0.113.9",
                user_agent="race",
            )
            outcomes.append("accepted")
        except ActionError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    # When both press Accept terms at the same moment
    threads = [threading.Thread(target=accept, args=page) for page in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then one acceptance is kept and the other person is told
    assert Acceptance.objects.count() == 1
    # (through two links, the other link was closed by the acceptance: "revoked")
    expected = ["accepted", "already_accepted" if same_confirmation else "revoked"]
    assert sorted(outcomes) == expected
    assert Confirmation.objects.filter(status=ConfirmationStatus.ACCEPTED).count() == 1
