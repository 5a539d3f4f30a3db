"""Integrations: the seller's API tokens and webhook endpoints, every message sent to an endpoint with its
attempts, and redelivery. Owners and managers change them; other staff see the lists, never a secret and
never an endpoint's full URL. A token made here acts as the owner or manager who makes it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orderflow.accounts.models import Membership, Role
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.integrations import selectors
from orderflow.integrations.actions import (
    create_api_token,
    create_webhook_endpoint,
    delete_webhook_endpoint,
    enable_webhook_endpoint,
    redeliver,
    revoke_api_token,
)
from orderflow.integrations.models import WebhookEndpoint
from orderflow.integrations.webhooks import sees_full_urls
from orderflow.notifications.channels.webhook import selectors as sent
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import error_summary
from orderflow.web.integration_forms import TokenForm, WebhookForm

PAGE_SIZE = 50


def _can_manage(membership: Membership) -> bool:
    """Whether to offer the forms and show secrets; the actions themselves refuse anyone else."""
    return membership.role in (Role.OWNER, Role.MANAGER)


def _page_url(membership: Membership) -> str:
    return reverse("integrations", kwargs={"seller_slug": membership.seller.slug})


def _endpoint_url(endpoint: WebhookEndpoint, membership: Membership) -> str:
    return reverse(
        "webhook_endpoint", kwargs={"seller_slug": membership.seller.slug, "endpoint_id": endpoint.pk}
    )


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    token_form: TokenForm | None = None,
    webhook_form: WebhookForm | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    seller = membership.seller
    context = {
        "can_manage": _can_manage(membership),
        "full_urls": sees_full_urls(Actor.staff(membership)),
        "tokens": selectors.tokens_of(seller),
        "endpoints": selectors.webhooks_of(seller),
        "token_form": token_form or TokenForm(),
        "webhook_form": webhook_form or WebhookForm(),
        "api_docs": reverse("api-v1:openapi-view"),
        **extra,
    }
    return render_seller(request, membership, "web/integrations.html", context, status=status)


@seller_view
@require_http_methods(["GET"])
def integrations(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _page(request, membership)


@seller_view
@require_POST
def api_token_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("No token was created. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, token_form=form, status=400)
    try:
        token, raw = create_api_token(membership.seller, actor=Actor.staff(membership), **form.cleaned_data)
    except ActionError as error:
        messages.error(request, _("No token was created. %(problem)s") % {"problem": error.message})
        return _page(request, membership, token_form=form, status=error.status)
    # Shown on this response only: the token is stored as a hash, so no later page can show it again.
    messages.success(
        request, _("Token “%(token)s” created. Copy it now: it is not shown again.") % {"token": token.name}
    )
    return _page(request, membership, new_token=raw, new_token_id=token.pk)


@seller_view
@require_POST
def api_token_revoke(request: HttpRequest, membership: Membership, token_id: int) -> HttpResponse:
    token = selectors.token_of(membership.seller, token_id)
    if token is None:
        raise Http404("No such token")
    try:
        revoke_api_token(token, actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, error.message)
        return _page(request, membership, status=error.status)
    messages.success(
        request,
        _("Token “%(token)s” revoked: requests with it are refused from now on.") % {"token": token.name},
    )
    return redirect(_page_url(membership))


@seller_view
@require_POST
def webhook_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = WebhookForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("No endpoint was added. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, webhook_form=form, status=400)
    try:
        endpoint = create_webhook_endpoint(
            membership.seller, actor=Actor.staff(membership), **form.cleaned_data
        )
    except ActionError as error:
        messages.error(request, _("No endpoint was added. %(problem)s") % {"problem": error.message})
        if error.details.get("field") in form.fields:
            form.add_error(error.details["field"], error.message)
        return _page(request, membership, webhook_form=form, status=error.status)
    messages.success(request, _("Endpoint added. Verify the signatures of what it receives with its secret."))
    return redirect(_endpoint_url(endpoint, membership))


def _endpoint_or_404(membership: Membership, endpoint_id: int) -> WebhookEndpoint:
    endpoint = selectors.webhook_of(membership.seller, endpoint_id)
    if endpoint is None:
        raise Http404("No such endpoint")
    return endpoint


@seller_view
@require_http_methods(["GET", "POST"])
def webhook_endpoint(request: HttpRequest, membership: Membership, endpoint_id: int) -> HttpResponse:
    """The endpoint and what was sent to it; POST `enable` or `delete`."""
    endpoint = _endpoint_or_404(membership, endpoint_id)
    if request.method == "POST":
        actor = Actor.staff(membership)
        try:
            if "delete" in request.POST:
                delete_webhook_endpoint(endpoint, actor=actor)
                messages.success(request, _("Endpoint %(url)s removed.") % {"url": endpoint.url})
                return redirect(_page_url(membership))
            if "enable" in request.POST:
                enable_webhook_endpoint(endpoint, actor=actor)
                messages.success(request, _("Endpoint enabled: new events are sent to it again."))
            else:
                messages.error(request, _("Nothing was changed: choose Enable or Remove."))
        except ActionError as error:
            messages.error(request, error.message)
        return redirect(_endpoint_url(endpoint, membership))
    page = Paginator(sent.webhook_deliveries(endpoint), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint,
        "page": page,
        "deliveries": page.object_list,
        "can_manage": _can_manage(membership),
        "full_urls": sees_full_urls(Actor.staff(membership)),
    }
    return render_seller(request, membership, "web/webhook_endpoint.html", context)


@seller_view
@require_POST
def webhook_redeliver(
    request: HttpRequest, membership: Membership, endpoint_id: int, delivery_id: int
) -> HttpResponse:
    endpoint = _endpoint_or_404(membership, endpoint_id)
    delivery = sent.webhook_delivery_of(endpoint, delivery_id)
    if delivery is None:
        raise Http404("No such delivery")
    try:
        again = redeliver(delivery, actor=Actor.staff(membership))
    except ActionError as error:
        messages.error(request, _("Not redelivered. %(problem)s") % {"problem": error.message})
    else:
        messages.success(
            request, _("Queued again as delivery #%(pk)s, with the same webhook-id.") % {"pk": again.pk}
        )
    return redirect(_endpoint_url(endpoint, membership))
