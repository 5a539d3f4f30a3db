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
    # Messages and people are added to an order whatever changed on it meanwhile: no If-Match.
    exempt = ("/messages", "/participants", "/leads", "/leads/imports")
    for path, method, operation in _operations():
        if method == "post" and path.startswith("/orders/{number}/") and not path.endswith(exempt):
            assert "If-Match" in [p["name"] for p in operation["parameters"]], path


def _strings(schema, components, seen=()):
    """Every string schema in `schema` (following $refs), with the path that leads to it."""
    ref = schema.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            yield from _strings(components[name], components, (*seen, name))
        return
    if schema.get("type") == "string":
        yield schema
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from _strings(option, components, seen)
    for sub in schema.get("properties", {}).values():
        yield from _strings(sub, components, seen)
    for key in ("items", "additionalProperties", "propertyNames"):
        if isinstance(schema.get(key), dict):
            yield from _strings(schema[key], components, seen)


def test_every_string_a_request_carries_declares_its_shape():
    """A bare "type: string" would let clients (and schemathesis) send what the server refuses: every
    input string states its pattern or its values."""
    schema = json.loads(json.dumps(ninja_api.get_openapi_schema(path_prefix=""), cls=NinjaJSONEncoder))
    components = schema["components"]["schemas"]
    checked = 0
    for path, method, operation in _operations():
        inputs = [parameter["schema"] for parameter in operation.get("parameters", [])]
        inputs += [body["schema"] for body in operation.get("requestBody", {}).get("content", {}).values()]
        for input_schema in inputs:
            for string in _strings(input_schema, components):
                checked += 1
                assert "pattern" in string or "enum" in string or "format" in string, (method, path, string)
    assert checked > 50


def test_if_match_and_idempotency_key_declare_what_the_guard_accepts():
    import re

    [operation] = [op for path, method, op in _operations() if path.endswith("/refunds")]
    parameters = {parameter["name"]: parameter["schema"] for parameter in operation["parameters"]}
    if_match = parameters["If-Match"]["pattern"]
    assert all(re.search(if_match, value) for value in ['"7"', 'W/"7"', "7", "*"])
    assert not any(re.search(if_match, value) for value in ["yesterday", '"²"', '"1234567890"', '"7'])
    assert re.search(parameters["Idempotency-Key"]["pattern"], "retry-1")
    assert not re.search(parameters["Idempotency-Key"]["pattern"], "é")
