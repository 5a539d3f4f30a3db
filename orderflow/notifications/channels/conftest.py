"""The notification tests' local sinks, for the channels' own tests in `<kind>/tests/`."""

from __future__ import annotations

from orderflow.notifications.tests.conftest import http_sink, smtp_sink, use_http_sink, use_smtp_sink

__all__ = ["http_sink", "smtp_sink", "use_http_sink", "use_smtp_sink"]
