"""The sandbox: with NOTIFICATIONS_SANDBOX on, it keeps what the channels that leave the system would have
sent, for reading in the app. It is never a delivery's channel."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from orderflow.notifications.channels.spec import ChannelSpec

SPEC = ChannelSpec(key="sandbox", label=_("Sandbox"), position=90, stands_in=True)
