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
from django.utils.translation import gettext_lazy
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
        fields.setdefault(name, []).append(_readable(error))
    return fields


# pydantic's error types in the reader's language (its own messages are English only); the context
# pydantic gives (a limit, the choices) fills the placeholders. Other types keep pydantic's message.
_DATETIME = gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM:SS with its offset.")
_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not accepted here."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "float_type": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "decimal_max_places": gettext_lazy("Use at most %(decimal_places)s decimal places."),
    "decimal_max_digits": gettext_lazy("Use at most %(max_digits)s digits in all."),
    "decimal_whole_digits": gettext_lazy("Use at most %(whole_digits)s digits before the decimal point."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "bool_type": gettext_lazy("Enter true or false."),
    "string_type": gettext_lazy("Enter text."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("This value is not in the expected format."),
    "too_short": gettext_lazy("Give at least %(min_length)s items."),
    "too_long": gettext_lazy("Give at most %(max_length)s items."),
    "list_type": gettext_lazy("Give a list."),
    "dict_type": gettext_lazy("Give an object."),
    "model_type": gettext_lazy("Give an object."),
    "model_attributes_type": gettext_lazy("Give an object."),
    "greater_than": gettext_lazy("Enter a value greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a value of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a value less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a value of at most %(le)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "json_invalid": gettext_lazy("The body is not valid JSON."),
    "json_type": gettext_lazy("The body is not valid JSON."),
    "url_parsing": gettext_lazy("Enter a valid URL."),
    "url_type": gettext_lazy("Enter a valid URL."),
    "url_scheme": gettext_lazy("Enter a valid URL."),
}


def _readable(error: Mapping[str, Any]) -> str:
    """One pydantic error in the reader's language; our own validators' messages (value_error) are
    translated where they are raised."""
    kind = str(error.get("type", ""))
    template = _MESSAGES.get(kind)
    if template is None:
        message = str(error.get("msg", "")) or str(gettext_lazy("This value is invalid."))
        # pydantic prefixes the message of a ValueError raised by a validator.
        return message.removeprefix("Value error, ")
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return str(template) % context
    except (KeyError, ValueError, TypeError):  # a context without the value the sentence names
        return str(error.get("msg", template))


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
