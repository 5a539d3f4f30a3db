"""The schema documents what the guard does for every operation, and the docs page serves it."""

from __future__ import annotations

import json

from django.test import Client
from ninja.responses import NinjaJSONEncoder

from orderflow.api.api import api as ninja_api


def _operations():
    schema = json.loads(json.dumps(ninja_api.get_openapi_schema(path_prefix=""), cls=NinjaJSONEncoder))
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_schema_is_openapi_3_1_at_its_address(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")
    assert response.json()["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_the_docs_page_is_served_from_our_static_files(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn." not in response.content


def test_every_operation_documents_its_errors():
    for path, method, operation in _operations():
        statuses = set(operation["responses"])
        assert {"401", "429"} <= statuses, (method, path)
        if method != "get":
            assert {"400", "403", "409", "422"} <= statuses, (method, path)
        if "{" in path:
            assert {"404", "422"} <= statuses, (method, path)
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)


def test_every_post_documents_the_idempotency_key():
    posts = [operation for _, method, operation in _operations() if method == "post"]
    assert len(posts) > 10
    for operation in posts:
        assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]


def test_order_changes_document_if_match():
    for path, method, operation in _operations():
        if method == "post" and path.startswith("/orders/{number}/") and not path.endswith("/messages"):
            assert "If-Match" in [p["name"] for p in operation["parameters"]], path
