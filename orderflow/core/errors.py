"""The one error type that actions raise: a stable code for machines, a message for people."""

from __future__ import annotations

from typing import Any


class ActionError(Exception):
    """A refused change. Nothing was written when this is raised from an action.

    `code` is stable (API clients and tests match on it); `message` is shown to the person.
    """

    status = 400

    def __init__(self, code: str, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def __str__(self) -> str:
        return self.message


class NotAllowed(ActionError):
    """The change is not allowed in the order's current state or for this actor (HTTP 409 / 403)."""

    status = 409


class Conflict(ActionError):
    """The order changed since the caller read it (optimistic concurrency)."""

    status = 409


class Forbidden(ActionError):
    status = 403
