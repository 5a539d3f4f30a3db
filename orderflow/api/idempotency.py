"""`Idempotency-Key` on POST: the first response is kept for 24 hours and replayed to retries.

The record is claimed in its own committed transaction before the operation runs, so a second request
with the key sees it ("still running": 409). The operation then runs inside one transaction that also
stores its successful response: the change and its replay commit together or not at all, so a crash
between them can never leave a change without its record (which a retry would repeat). A record that
stays "running" longer than RUNNING_LEASE therefore belongs to a request that died without effect and
is taken over by the next retry.

A key is honoured for the token that used it: another token of the seller sending the same key and
request gets 422, never the first response, which may hold what that token may not see (a webhook
endpoint's secret and full URL, answered to a manager's token).

Kept for replay: every response except 409 (conflict: the state may change), 422 (invalid input:
nothing was tried) and 5xx; for those the claim is released so the client can retry with the same key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from orderflow.accounts.models import Seller
from orderflow.api.auth import context_of
from orderflow.api.errors import ApiError
from orderflow.integrations.models import IdempotencyRecord

TTL = dt.timedelta(hours=24)
RUNNING_LEASE = dt.timedelta(minutes=5)
MAX_KEY_LENGTH = 255
KEY_PATTERN = r"^[\x20-\x7e]+$"  # printable ASCII
REPLAYED_HEADERS = ("Content-Type", "ETag", "Location")
_NOT_KEPT = frozenset({409, 422})

Run = Callable[..., HttpResponseBase]


class _Discard(Exception):
    def __init__(self, response: HttpResponseBase) -> None:
        super().__init__(response.status_code)
        self.response = response


def run_once(run: Run, request: HttpRequest, seller: Seller, key: str, **kwargs: object) -> HttpResponseBase:
    """Run the operation for this key once; replay its response to later requests with the key."""
    if len(key) > MAX_KEY_LENGTH or not re.fullmatch(KEY_PATTERN, key):
        raise ApiError(
            400,
            "invalid_idempotency_key",
            _("The Idempotency-Key must be 1 to %(limit)s printable ASCII characters.")
            % {"limit": MAX_KEY_LENGTH},
            details={"field": "Idempotency-Key"},
        )
    path = request.get_full_path()
    token = context_of(request).token
    fingerprint = hashlib.sha256(
        b"\n".join([str(token.pk).encode(), (request.method or "POST").encode(), path.encode(), request.body])
    )
    claimed = _claim(seller, key, request.method or "POST", path, fingerprint.hexdigest())
    if isinstance(claimed, HttpResponse):
        return claimed
    try:
        with transaction.atomic():
            response = run(request, **kwargs)
            if not 200 <= response.status_code < 300:
                raise _Discard(response)  # roll back anything the refused operation wrote
            _store(claimed, response)
    except _Discard as discarded:
        response = discarded.response
        if response.status_code >= 500 or response.status_code in _NOT_KEPT:
            IdempotencyRecord.objects.filter(pk=claimed.pk).delete()
        else:
            _store(claimed, response)
        return response
    except BaseException:
        IdempotencyRecord.objects.filter(pk=claimed.pk).delete()
        raise
    return response


def _claim(
    seller: Seller, key: str, method: str, path: str, fingerprint: str
) -> IdempotencyRecord | HttpResponse:
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                # The seller's expired keys go in the same commit (rolled back with a lost claim).
                IdempotencyRecord.objects.filter(seller=seller, created_at__lt=now - TTL).delete()
                return IdempotencyRecord.objects.create(
                    seller=seller,
                    key=key,
                    method=method[:8],
                    path=path[:500],
                    request_hash=fingerprint,
                    created_at=now,
                )
        except IntegrityError:
            pass
        found = IdempotencyRecord.objects.filter(seller=seller, key=key).first()
        if found is None:
            continue  # released meanwhile: claim it
        if found.request_hash != fingerprint:
            raise ApiError(
                422,
                "idempotency_key_reused",
                _(
                    "This Idempotency-Key was used for a different request (token, method, path or body); "
                    "use a new key for a new request."
                ),
                details={"field": "Idempotency-Key"},
            )
        if found.status_code is not None:
            return _replay(found)
        if found.created_at < now - RUNNING_LEASE:
            # The first request died before committing anything: take its claim over.
            taken = IdempotencyRecord.objects.filter(pk=found.pk, created_at=found.created_at).update(
                created_at=now
            )
            if taken:
                found.created_at = now
                return found
            continue
        break
    raise ApiError(
        409,
        "idempotency_in_progress",
        _("A request with this Idempotency-Key is still being processed; retry in a moment."),
        details={"field": "Idempotency-Key"},
    )


def _store(record: IdempotencyRecord, response: HttpResponseBase) -> None:
    assert isinstance(response, HttpResponse), "API responses are not streamed"
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=response.status_code, response_body=response.content, response_headers=headers
    )


def _replay(record: IdempotencyRecord) -> HttpResponse:
    assert record.status_code is not None
    response = HttpResponse(bytes(record.response_body or b""), status=record.status_code)
    for name, value in record.response_headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response
