"""The quotes' background job: expiring quotes past their last day, every few minutes (see
`settings.PERIODIC_TASKS` and `orderflow.core.periodic`)."""

from __future__ import annotations

from django_tasks import task

from orderflow.core.periodic import periodic
from orderflow.quotes.actions import expire_quotes


@task()
@periodic
def expire_due_quotes() -> int:
    """Expire every sent quote past the end of its last day (idempotent: an expired quote is not sent)."""
    return expire_quotes()
