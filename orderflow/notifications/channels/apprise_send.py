"""Sending through an Apprise URL (SMS gateways, Telegram, WhatsApp, Slack, a JSON endpoint...)."""

from __future__ import annotations

import ipaddress
import logging
import socket
from urllib.parse import urlsplit

import apprise
from django.conf import settings

from orderflow.notifications.channels import TransportError

# Schemes that post to whatever host the URL names: those must not reach inside our network.
_ANY_HOST_SCHEMES = {"json", "jsons", "xml", "xmls", "form", "forms"}


def _guarded(url: str) -> bool:
    return urlsplit(url).scheme.lower() in _ANY_HOST_SCHEMES and not settings.ALLOW_PRIVATE_DESTINATIONS


def check_destination(url: str) -> None:
    if not _guarded(url):
        return
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        raise TransportError(f"The host {host!r} cannot be found.", permanent=False) from None
    for address in addresses:
        ip = ipaddress.ip_address(address)
        # Not global covers private, loopback, link-local (cloud metadata), shared (100.64/10), reserved.
        if not ip.is_global or ip.is_multicast:
            raise TransportError(
                f"{host} is a private address; sending there is not allowed.", permanent=True
            )


def send(url: str, body: str, *, title: str = "") -> None:
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise TransportError("The Apprise URL is not valid (check its scheme and parts).", permanent=True)
    check_destination(url)
    if _guarded(url):
        # A public endpoint answering with a redirect must not lead the post inside our network.
        for service in notifier:
            service.redirects = False
    with apprise.LogCapture(level=logging.WARNING) as log:
        delivered = notifier.notify(body=body, title=title)
    if not delivered:
        detail = " ".join(log.getvalue().split())[:500] or "no reason given"
        raise TransportError(f"The service did not accept the message: {detail}", permanent=False)
