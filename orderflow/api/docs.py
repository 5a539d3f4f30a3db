"""The introduction shown at the top of /api/v1/docs (and in openapi.json's info.description)."""

DESCRIPTION = """
Orderflow's REST API: the seller's orders, customers, catalogue and webhooks, for the systems that work
with them (an ERP, a distributor's order processing, a CRM). Every operation calls the same actions as the
seller's pages, so the same rules apply and every change appears in the order's activity log.

## Authentication

Send an API token as `Authorization: Bearer <token>`. Tokens are made by an owner or manager for
themself (or with `python manage.py create_api_token --seller SLUG --user USERNAME --name NAME --scope
read_write` for any active staff member), shown once, and can be revoked. A token belongs to one seller:
it sees only that seller's data, and anything else answers 404, exactly as if it did not exist.

Scopes: a `read` token may only GET; POST, PUT and DELETE need a `read_write` token (else 403
`read_only_token`).

**Whom a token acts as.** A token belongs to one staff member and acts as them, with their role as it is
at each request (as on the pages): the activity log names them with the token, e.g. "Olivia via API (ERP
sync)". A manager's token can confirm an order like the manager can; a staff member's token cannot manage
webhooks; a demoted member's token acts with the new role. The token stops the moment its member is
deactivated or removed: 401 `token_inactive`, with `details.reason` (`revoked`, `member_deactivated`,
`member_removed`, `account_disabled`, `no_member`). Reading an order through the API does not mark it as
seen by staff.

Webhook endpoints' `url` is shown in full to read-write tokens of owners and managers only; other tokens
see the scheme and host, e.g. `https://erp.example.com/…`.

## Errors

Every error is JSON `{"code": "...", "message": "...", "details": {...}}`; match on `code`, show
`message` to people. Statuses: 400 a refused input (`invalid`, `refund_too_large`, `invalid_cursor`,
…), 401 no or bad token, 403 not allowed for this token (`read_only_token`, `not_permitted`,
`forbidden`), 404 not found (or another seller's), 409 not allowed in the order's state
(`invalid_transition`, `final_state`, `not_cancellable`, …) or changed meanwhile (`stale`), 422 input
that does not match the schema (`validation_error`, with `details.fields` naming each field, e.g.
`lines.0.quantity`) or names something the seller does not have (`invalid`), 429 rate limited.
Every rule on the shape of an input (lengths, patterns, decimal places, ranges, allowed values, the
If-Match and Idempotency-Key formats) is in this schema: a request it allows is refused only for what
the data decides (an unknown reference, a refund larger than what is left, a move the workflow lacks).

## Optimistic concurrency

`GET /orders/{number}` and every change answer an `ETag`: the order's version, e.g. `"7"`. Send it back
as `If-Match: "7"` with a change: if the order changed since (someone else moved it), the change is
refused with 409 `stale` and `details.current_version`; nothing is written. Without If-Match the change
applies to the order as it is.

## Idempotency

Every POST honours an `Idempotency-Key` header (1-255 printable ASCII characters, e.g. a UUID; scoped to
the seller). A retry with the same key and the same request (token, method, path and body) within 24 h
gets the first response again (same status, body and ETag, with `Idempotent-Replayed: true`) and changes
nothing. The same key with another request answers 422 `idempotency_key_reused`; while the first request
is still running, 409 `idempotency_in_progress`. A change and its kept response are committed together.
Responses 409, 422 and 5xx are not kept: retry them with the same key.

## Pagination

Lists of orders, customers, catalogue items, participants, leads and webhook deliveries are paged by
cursor: pass `limit` (at most 100) and then the response's `next` as `cursor` until `next` is null.
Cursors are opaque. Orders added while you walk never appear twice; sorted by `submitted`, every order
is seen exactly once. With a sort by last activity, an order that changes during the walk moves to its
new place.

## Rate limits

Each token may make `API_RATE_LIMIT` requests per `API_RATE_WINDOW_SECONDS` (default 600 per minute).
Past that: 429 `rate_limited` with `Retry-After` (seconds). Responses carry `RateLimit-Limit`,
`RateLimit-Remaining` and `RateLimit-Reset`. Counts are kept in Django's cache: with several web
processes, set `CACHE_URL=redis://…` so they share one count (the default in-process cache counts per
process).

## Webhooks

`POST /webhooks` subscribes an endpoint to event types; its response carries the `whsec_…` secret, once.
Deliveries are signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`)
and carry the event and the order exactly as `GET /orders/{number}` returns it (without
`available_transitions`); failures are retried for about a day and every attempt is listed under
`GET /webhooks/{id}/deliveries`.
"""
