"""Webhooks: a signed POST to the seller's endpoints (channels/webhook/emission.py writes them), sent at
once. Nobody picks it: endpoints subscribe to event types instead."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from orderflow.notifications.channels.spec import ChannelSpec

SPEC = ChannelSpec(key="webhook", label=_("Webhook"), position=60, lane="webhooks", side_by_side=True)
