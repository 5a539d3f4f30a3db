"""Sending through an Apprise URL (SMS gateways, Telegram, WhatsApp, Slack, a JSON endpoint...).

Where it may connect is decided by orderflow.core.outbound for every scheme, at each connection the
service makes; the send is bounded by OUTBOUND_CONNECT_SECONDS and OUTBOUND_SEND_SECONDS."""

from __future__ import annotations

import logging

import apprise
from django.conf import settings

from orderflow.core import outbound
from orderflow.notifications.channels import TransportError


def send(url: str, body: str, *, title: str = "") -> None:
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise TransportError("The Apprise URL is not valid (check its scheme and parts).", permanent=True)
    budget = settings.OUTBOUND_SEND_SECONDS
    for service in notifier:
        # Apprise's own per-request limits (its cto/rto URL arguments), never longer than ours.
        service.socket_connect_timeout = min(
            service.socket_connect_timeout, settings.OUTBOUND_CONNECT_SECONDS
        )
        service.socket_read_timeout = min(service.socket_read_timeout, budget)
        if not settings.ALLOW_PRIVATE_DESTINATIONS:
            # A redirect would be judged like the first request; not following one is simpler still.
            service.redirects = False
    with outbound.guarded(budget=budget) as guard, apprise.LogCapture(level=logging.WARNING) as log:
        delivered = notifier.notify(body=body, title=title, timeout=budget)
        expired = guard.expired
    if guard.refused:
        raise TransportError(guard.refused[0].message, permanent=True)
    if expired:
        raise TransportError(f"No answer within {budget} s.", permanent=False)
    if not delivered:
        detail = " ".join(log.getvalue().split())[:500] or "no reason given"
        raise TransportError(f"The service did not accept the message: {detail}", permanent=False)
