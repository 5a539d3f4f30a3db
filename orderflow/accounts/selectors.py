"""Reads of accounts that more than one surface needs."""

from __future__ import annotations

from orderflow.accounts.models import Contact


def contact_of_user(user_id: int | None) -> Contact | None:
    """The contact a signed-in user is (their portal login), with its customer and seller; None for
    staff, deactivated contacts and anyone else without one."""
    if not user_id:
        return None
    return (
        Contact.objects.select_related("customer__seller", "user")
        .filter(user_id=user_id, is_active=True)
        .first()
    )
