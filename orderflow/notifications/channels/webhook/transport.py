"""Webhooks: a signed POST of the event's JSON (Standard Webhooks). Success is a 2xx status within the
send's time budget (OUTBOUND_SEND_SECONDS; the body of the answer is not read); anything else is retried
on the outbox schedule; an endpoint failing for 5 days is disabled. Where the POST may go is decided by
orderflow.core.outbound, at the connection itself."""

from __future__ import annotations

import time
from typing import NoReturn

import requests
from django.conf import settings

from orderflow.core import outbound
from orderflow.integrations.models import WebhookEndpoint
from orderflow.integrations.webhooks import sign
from orderflow.notifications.channels import Outgoing, TransportError
from orderflow.notifications.channels.webhook.emission import message_id
from orderflow.notifications.channels.webhook.outcomes import record_outcome


class Transport:
    def open(self) -> None:
        pass

    def send(self, item: Outgoing) -> None:
        notification = item.delivery.notification
        endpoint = notification.webhook
        if endpoint is None or not endpoint.is_active:
            raise TransportError("The webhook endpoint is disabled or gone.", permanent=True)
        body = item.rendered.text
        msg_id, timestamp = message_id(notification), int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": "Orderflow-Webhooks/1",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(endpoint.secret, msg_id, timestamp, body),
        }
        budget = settings.OUTBOUND_SEND_SECONDS
        response: requests.Response | None = None
        error: requests.RequestException | None = None
        # A session per send: its connection is made inside this send's guard, judged and timed by it.
        with outbound.guarded(budget=budget) as guard, requests.Session() as session:
            try:
                response = session.post(
                    endpoint.url,
                    data=body.encode(),
                    headers=headers,
                    timeout=(settings.OUTBOUND_CONNECT_SECONDS, budget),
                    allow_redirects=False,
                    stream=True,  # the status is the answer: a body dripping in slowly is never waited for
                )
                response.close()
            except requests.RequestException as exc:
                error = exc
            # An answer cut short by the budget can look whole (headers end at the cut): read this first.
            expired = guard.expired
        if guard.refused:
            raise TransportError(guard.refused[0].message, permanent=True)
        if expired or isinstance(error, requests.Timeout):
            self._failed(endpoint, f"No answer within {budget} s.")
        if response is None:
            self._failed(endpoint, f"The endpoint could not be reached: {type(error).__name__}.")
        elif 200 <= response.status_code < 300:
            record_outcome(endpoint, ok=True)
        else:
            self._failed(endpoint, f"The endpoint answered {response.status_code} {response.reason}.")

    def _failed(self, endpoint: WebhookEndpoint, reason: str) -> NoReturn:
        disabled = record_outcome(endpoint, ok=False)
        if disabled:
            raise TransportError(
                f"{reason} The endpoint failed for 5 days and is now disabled.", permanent=True
            )
        raise TransportError(reason, permanent=False)

    def close(self) -> None:
        pass
