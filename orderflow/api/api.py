"""The API v1: one NinjaAPI, one guard in front of every operation, the routers of each resource.

The guard runs before ninja parses anything: it authenticates the token, counts the request against the
token's rate limit, refuses writes to read-only tokens, and runs POSTs with an Idempotency-Key once.
(Every answer to an authenticated request counts, refusals included.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from orderflow.api import (
    catalog,
    confirmations,
    conversations,
    customers,
    order_activity,
    orders,
    people,
    people_transfers,
    quotes,
    ratelimit,
    seller,
    webhooks,
)
from orderflow.api.auth import BearerToken, authenticate, check_scope
from orderflow.api.docs import DESCRIPTION
from orderflow.api.errors import install_handlers
from orderflow.api.idempotency import KEY_PATTERN, MAX_KEY_LENGTH, run_once

IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Run this POST once: retries with the same key and request get the first response "
    "for 24 hours.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
}


class OrderflowAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Document the guard's Idempotency-Key on every POST (the guard, not each view, honours it)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            post = operations.get("post")
            if post is not None:
                post.setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)
        return schema


api = OrderflowAPI(
    title="Orderflow API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=BearerToken(),
)
install_handlers(api)


def guard(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @functools.wraps(run)
    def guarded(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        try:
            context = authenticate(request)
            quota = ratelimit.take(context.token)
            check_scope(request, context)
            key = request.headers.get("Idempotency-Key")
            if request.method == "POST" and key is not None:
                response = run_once(run, request, context.seller, key, **kwargs)
            else:
                response = run(request, **kwargs)
        except Exception as exc:  # ApiError and friends: answered by the handlers in errors.py
            return api.on_exception(request, exc)
        for name, value in quota.headers().items():
            response[name] = value
        return response

    return guarded


api.add_decorator(guard, mode="view")
api.add_router("/orders", orders.router)
api.add_router("/orders", order_activity.router)
api.add_router("/orders", quotes.router)
api.add_router("/orders", confirmations.router)
# Before the people router: its /orders/{number}/leads/{lead_id} would take "imports" as an id.
api.add_router("", people_transfers.router)
api.add_router("/orders", people.router)
api.add_router("", customers.router)
api.add_router("", seller.router)
api.add_router("/webhooks", webhooks.router)
api.add_router("/catalog", catalog.router)
api.add_router("/conversations", conversations.router)
