"""What each send tells about an endpoint: one failing for 5 days is disabled and the seller's managers
are told."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from orderflow.integrations.models import WebhookEndpoint
from orderflow.notifications.outbox import tell_staff

DISABLE_AFTER = dt.timedelta(days=5)


def record_outcome(endpoint: WebhookEndpoint, *, ok: bool) -> bool:
    """Track failing endpoints; disable one failing for 5 days and tell the seller. True if disabled now."""
    now = timezone.now()
    if ok:
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return False
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
        return False
    if now - endpoint.failing_since < DISABLE_AFTER or not endpoint.is_active:
        return False
    reason = f"Every delivery failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC."
    disabled = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason
    )
    if disabled:
        tell_staff(
            endpoint.seller_id,
            template="webhook_disabled",
            payload={"endpoint_url": endpoint.url, "reason": reason},
        )
    return bool(disabled)
