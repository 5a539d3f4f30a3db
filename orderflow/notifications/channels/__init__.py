"""Channel transports, one folder each (`<kind>/transport.py` defines `Transport`): adding a channel is
adding a folder. A transport sends one rendered message and raises TransportError when it cannot."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from orderflow.notifications.models import Delivery
from orderflow.notifications.render import Rendered


class TransportError(Exception):
    """A send that failed. Permanent failures are not retried (a refused address, a bad URL)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Outgoing:
    delivery: Delivery
    rendered: Rendered


class Transport(Protocol):
    def open(self) -> None: ...

    def send(self, item: Outgoing) -> None: ...

    def close(self) -> None: ...


@cache
def transport_class(kind: str) -> type[Transport]:
    module = importlib.import_module(f"orderflow.notifications.channels.{kind}.transport")
    cls: type[Transport] = module.Transport
    return cls
