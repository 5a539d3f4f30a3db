"""The floor the API is measured against: plain Django views making the same queries as the API's
GET /orders and POST /orders/{number}/transitions (the same token lookup, the same order queries, the
same action), with the JSON built by hand (the list: by the API's own selector, which builds plain
dicts): no django-ninja, no pydantic, no guard (rate limit, idempotency). The ratio API / floor is
what the API layer costs. Served only by the benchmark."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from orderflow.api import selectors
from orderflow.api.auth import ApiContext, _touch, find_token
from orderflow.core.actors import Actor
from orderflow.integrations.actions import hash_token
from orderflow.integrations.models import ApiToken
from orderflow.orders.actions import available_transitions, transition_order
from orderflow.orders.models import Order
from orderflow.orders.selectors import OrderFilters

CENT = Decimal("0.01")


def _token(request: HttpRequest) -> ApiToken | None:
    raw = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    token = (
        ApiToken.objects.select_related("seller")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        _touch(token)
    return token


def _order_dict(order: Order) -> dict[str, Any]:
    state = order.current_state
    locale = order.seller.locale
    lines = list(order.lines.all())
    total = sum((line.amount for line in lines if line.amount is not None), start=Decimal(0))
    return {
        "number": order.number,
        "title": order.title,
        "order_type": order.order_type.key,
        "workflow_version": order.workflow_version.number,
        "state": order.state,
        "state_label": state.label(locale),
        "customer_state_label": state.customer_label(locale),
        "category": state.category,
        "final": state.final,
        "customer": {"id": order.customer_id, "name": order.customer.name},
        "placed_by": {"id": order.placed_by.pk, "name": order.placed_by.name} if order.placed_by else None,
        "assignee": {"id": order.assignee.pk, "name": order.assignee.display_name}
        if order.assignee
        else None,
        "customer_notes": order.customer_notes,
        "internal_notes": order.internal_notes,
        "currency": order.currency,
        "total": str(total.quantize(CENT)),
        "refunded": str(selectors.refunded(order).quantize(CENT)),
        "submitted_at": order.submitted_at,
        "last_activity_at": order.last_activity_at,
        "seen_at": order.seen_at,
        "closed_at": order.closed_at,
        "estimated_completion": order.estimated_completion,
        "cancel_reason": order.cancel_reason,
        "archived": order.archived,
        "version": order.version,
        "lines": [
            {
                "position": line.position,
                "sku": line.sku,
                "description": line.description,
                "quantity": str(line.quantity.normalize()),
                "unit_price": None if line.unit_price is None else str(line.unit_price),
                "amount": None if line.amount is None else str(line.amount),
                "backup_description": line.backup_description,
                "status": line.status,
                "substitute_description": line.substitute_description,
            }
            for line in lines
        ],
    }


def floor_orders(request: HttpRequest) -> HttpResponse:
    """The API's queries (the token by its hash, the page's orders and lines) in a plain view. The page
    comes from the same selector, already as plain dicts: what is left to the API is ninja, the guard
    and parsing the query string."""
    token = find_token(request.headers.get("Authorization", "").removeprefix("Bearer ").strip())
    if token is None:
        return JsonResponse({"code": "unauthorized"}, status=401)
    _touch(token)
    limit = int(request.GET.get("limit", 50))
    page = selectors.orders_page(token.seller, OrderFilters(), limit=limit, cursor=request.GET.get("cursor"))
    body = {"items": page.items, "next": page.next}
    return HttpResponse(json.dumps(body), content_type="application/json")


@csrf_exempt
def floor_transition(request: HttpRequest, number: int) -> HttpResponse:
    token = _token(request)
    if token is None:
        return JsonResponse({"code": "unauthorized"}, status=401)
    assert token.membership is not None
    actor: Actor = ApiContext(token, token.membership).actor
    data = json.loads(request.body)
    target = Order.objects.filter(seller=token.seller, number=number).first()
    if target is None:
        return JsonResponse({"code": "not_found"}, status=404)
    transition_order(target, to=data["to"], note=data.get("note", ""), actor=actor)
    order = selectors.order_of(token.seller, number)
    assert order is not None
    locale = order.seller.locale
    body = _order_dict(order)
    body["available_transitions"] = [
        {"to": t.target, "label": t.label(locale), "note": t.note}
        for t in available_transitions(order, actor)
    ]
    response = HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), content_type="application/json")
    response["ETag"] = f'"{order.version}"'
    return response


def floor_nothing(request: HttpRequest) -> HttpResponse:
    """No database, no work: what Django and gunicorn alone allow on this machine (the ceiling)."""
    return HttpResponse(b'{"items": [], "next": null}', content_type="application/json")


urlpatterns = [
    path("floor/nothing", floor_nothing),
    path("floor/orders", floor_orders),
    path("floor/orders/<int:number>/transitions", floor_transition),
    path("", include("orderflow.urls")),
]
