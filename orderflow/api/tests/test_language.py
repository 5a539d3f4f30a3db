"""An API error's `message` is in the language the request's Accept-Language asks for; its `code` and
status are the same in every language."""

from __future__ import annotations

import pytest

from orderflow.api.tests.conftest import ApiClient

CALLS = {
    "no-token": lambda api, anonymous, order: anonymous.get("/orders"),
    "not-found": lambda api, anonymous, order: api.get("/orders/99999"),
    "action-refusal": lambda api, anonymous, order: api.post(
        f"/orders/{order.number}/transitions", {"to": "picked_up"}
    ),
    # pydantic's own messages are English only: the API words them itself.
    "not-a-number": lambda api, anonymous, order: api.get("/orders", limit="many"),
    "out-of-range": lambda api, anonymous, order: api.get("/orders", limit=101),
    "missing-field": lambda api, anonymous, order: api.post(f"/orders/{order.number}/transitions", {}),
}


def refusal(response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["message"]


@pytest.mark.parametrize("case", CALLS)
def test_an_error_message_follows_accept_language_and_its_code_does_not(api, make_order, case):
    order = make_order("shop")
    anonymous = ApiClient(None)
    answers = {}
    for language in ("en", "fr-CA,fr;q=0.9"):
        for client in (api, anonymous):
            client.headers = {**client.headers, "Accept-Language": language}
        answers[language[:2]] = refusal(CALLS[case](api, anonymous, order))

    assert answers["fr"][:2] == answers["en"][:2]
    assert answers["fr"][0] >= 400
    assert answers["fr"][2]
    assert answers["fr"][2] != answers["en"][2]
