"""An API client per token: Acme's read-write token made by Olivia (owner), a read-only one, and Rival's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from orderflow.core.actors import Actor
from orderflow.integrations.actions import create_api_token


class ApiClient:
    """Calls /api/v1 with a bearer token; JSON in, the Django test response out."""

    def __init__(self, raw_token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}

    def request(
        self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None, **query: Any
    ):
        url = "/api/v1" + path
        all_headers = {**self.headers, **(headers or {})}
        if method == "GET":
            return self.client.get(url, query, headers=all_headers)
        data = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
        return self.client.generic(method, url, data, content_type="application/json", headers=all_headers)

    def get(self, path: str, **kwargs: Any):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any):
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any):
        return self.request("PUT", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any):
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def acme_token(acme, olivia):
    token, raw = create_api_token(acme, name="ERP sync", scope="read_write", actor=Actor.staff(olivia))
    return token, raw


@pytest.fixture
def api(acme_token) -> ApiClient:
    return ApiClient(acme_token[1])


@pytest.fixture
def read_api(acme, olivia) -> ApiClient:
    _, raw = create_api_token(acme, name="Reporting", scope="read", actor=Actor.staff(olivia))
    return ApiClient(raw)


@pytest.fixture
def rival_api(rival, rita) -> ApiClient:
    _, raw = create_api_token(rival, name="Rival ERP", scope="read_write", actor=Actor.staff(rita))
    return ApiClient(raw)


def operations() -> list[tuple[str, str]]:
    """Every (METHOD, path template) the API documents, e.g. ("POST", "/orders/{number}/transitions")."""
    from orderflow.api.api import api as ninja_api

    schema = ninja_api.get_openapi_schema(path_prefix="")
    return sorted(
        (method.upper(), "/" + path.removeprefix("/").removeprefix("api/v1/"))
        for path, methods in schema["paths"].items()
        for method in methods
    )


def assert_error(response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an API error of this status (and code): JSON with code, message and details."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["details"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body
