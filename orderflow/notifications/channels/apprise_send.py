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


def check_destination(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in _ANY_HOST_SCHEMES or settings.ALLOW_PRIVATE_DESTINATIONS:
        return
    host = parts.hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        raise TransportError(f"The host {host!r} cannot be found.", permanent=False) from None
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            raise TransportError(
                f"{host} is a private address; sending there is not allowed.", permanent=True
            )


def send(url: str, body: str, *, title: str = "") -> None:
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise TransportError("The Apprise URL is not valid (check its scheme and parts).", permanent=True)
    check_destination(url)
    with apprise.LogCapture(level=logging.WARNING) as log:
        delivered = notifier.notify(body=body, title=title)
    if not delivered:
        detail = " ".join(log.getvalue().split())[:500] or "no reason given"
        raise TransportError(f"The service did not accept the message: {detail}", permanent=False)
