"""Every refusal the API gives is JSON `{"code", "message", "details"}` with the status that says why.

Actions raise `ActionError` (400, or 403/409 for its subclasses); the API layer raises `ApiError` for
what only it knows (no token, wrong scope, unknown references, rate limits). ninja's own validation
errors are reshaped here so clients parse one format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from orderflow.core.errors import ActionError

E = TypeVar("E", bound=Exception)


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


class ApiError(Exception):
    """A refusal decided by the API layer. `headers` are added to the response (e.g. Retry-After)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details or {})
        self.headers = dict(headers or {})


def invalid(field: str, message: str) -> ApiError:
    """Input that is well formed but names something the seller does not have (422)."""
    return ApiError(422, "invalid", message, details={"fields": {field: [message]}})


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", _("No such %(what)s.") % {"what": what})


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
) -> HttpResponse:
    body = {"code": code, "message": message, "details": dict(details or {})}
    return api.create_response(request, body, status=status)


def install_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default error bodies with ours. Unexpected exceptions still propagate (500)."""

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = error_response(api, request, exc.status, exc.code, exc.message, exc.details)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.details)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = reshape_validation_errors(exc.errors)
        first = next(iter(fields.items()), ("request", ["is invalid"]))
        message = f"{first[0]}: {first[1][0]}"
        return error_response(api, request, 422, "validation_error", message, {"fields": fields})

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api, request, 401, "unauthorized", "Send a valid API token as 'Authorization: Bearer <token>'."
        )

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja raises these itself; the only one its parsing raises is 400 for a body that is not JSON.
        if exc.status_code == 400:
            return error_response(api, request, 400, "invalid_json", "The request body is not valid JSON.")
        return error_response(api, request, exc.status_code, "error", exc.message)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", "Not found.")

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(api, request, 400, "too_large", "The request body is too large.")

    _handle(api, ApiError, on_api_error)
    _handle(api, ActionError, on_action_error)
    _handle(api, ValidationError, on_validation_error)
    _handle(api, AuthenticationError, on_authentication_error)
    _handle(api, HttpError, on_http_error)
    _handle(api, Http404, on_not_found)
    _handle(api, RequestDataTooBig, on_too_big)


def _handle(api: NinjaAPI, exc_class: type[E], handler: Callable[[HttpRequest, E], HttpResponse]) -> None:
    # ninja's stubs type a handler as taking the exception or its class; it always passes the instance.
    api.add_exception_handler(exc_class, cast(Any, handler))


# Where ninja says an input came from; dropped from field names (the client knows its own request).
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def reshape_validation_errors(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """ninja/pydantic errors -> {"lines.0.quantity": ["Input should be ..."], ...}.

    A body's location starts with the source and the view's parameter name (`["body", "payload",
    "lines", 0]`); both are dropped. A body that is not JSON at all is reported as "body".
    """
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] == "body":
            loc = loc[2:] if len(loc) > 2 else ["body"]
        elif loc and loc[0] in _SOURCES:
            loc = loc[1:]
        name = ".".join(loc) or "request"
        message = str(error.get("msg", "is invalid"))
        fields.setdefault(name, []).append(message)
    return fields


# Documented on every operation: no token (401) and too many requests (429).
_ALWAYS = (401, 429)
# Documented on every write: read-only token (403), a bad Idempotency-Key (400), the key reused for
# another request (422) or still running (409).
_ON_WRITES = (400, 403, 409, 422)


def reads(ok: Mapping[int, Any], *errors: int) -> dict[int, Any]:
    """Response schemas of a read: `ok` plus ErrorOut for `errors` and the statuses every call has."""
    return {**ok, **dict.fromkeys(sorted({*_ALWAYS, *errors}), ErrorOut)}


def writes(ok: Mapping[int, Any], *errors: int) -> dict[int, Any]:
    """Response schemas of a write (POST, PUT, DELETE)."""
    return {**ok, **dict.fromkeys(sorted({*_ALWAYS, *_ON_WRITES, *errors}), ErrorOut)}
