"""Webhooks: a signed POST of the event's JSON (Standard Webhooks). Success is a 2xx within 15 s;
anything else is retried on the outbox schedule; an endpoint failing for 5 days is disabled."""

from __future__ import annotations

import ipaddress
import socket
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings

from orderflow.integrations.models import WebhookEndpoint
from orderflow.integrations.webhooks import sign
from orderflow.notifications.channels import Outgoing, TransportError
from orderflow.notifications.channels.webhook.emission import message_id
from orderflow.notifications.channels.webhook.outcomes import record_outcome

TIMEOUT_SECONDS = 15


def _check_public(url: str) -> None:
    if settings.ALLOW_PRIVATE_DESTINATIONS:
        return
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        raise TransportError(f"The host {host!r} cannot be found.", permanent=False) from None
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise TransportError(
                f"{host} is a private address; webhooks may not be sent there.", permanent=True
            )


class Transport:
    def __init__(self) -> None:
        self.session = requests.Session()

    def open(self) -> None:
        pass

    def send(self, item: Outgoing) -> None:
        notification = item.delivery.notification
        endpoint = notification.webhook
        if endpoint is None or not endpoint.is_active:
            raise TransportError("The webhook endpoint is disabled or gone.", permanent=True)
        _check_public(endpoint.url)
        body = item.rendered.text
        msg_id, timestamp = message_id(notification), int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": "Orderflow-Webhooks/1",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(endpoint.secret, msg_id, timestamp, body),
        }
        try:
            response = self.session.post(
                endpoint.url,
                data=body.encode(),
                headers=headers,
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except requests.Timeout:
            self._failed(endpoint, f"No answer within {TIMEOUT_SECONDS} s.")
        except requests.RequestException as exc:
            self._failed(endpoint, f"The endpoint could not be reached: {type(exc).__name__}.")
        else:
            if 200 <= response.status_code < 300:
                record_outcome(endpoint, ok=True)
                return
            self._failed(endpoint, f"The endpoint answered {response.status_code} {response.reason}.")

    def _failed(self, endpoint: WebhookEndpoint, reason: str) -> None:
        disabled = record_outcome(endpoint, ok=False)
        if disabled:
            raise TransportError(
                f"{reason} The endpoint failed for 5 days and is now disabled.", permanent=True
            )
        raise TransportError(reason, permanent=False)

    def close(self) -> None:
        self.session.close()
