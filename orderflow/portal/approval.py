"""The approval page of a customer confirmation (source article 003), reached by the link in the email
or signed in to the portal: the proposal's summary without prices, the seller's current terms, two
ticks, the contact choice, Accept terms, then a thank-you page. The page is rendered from the summary
JSON that the acceptance stores, so what is kept is what was shown. A refused acceptance shows the page
again with the reason and saves nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from orderflow.accounts.models import Contact
from orderflow.core.errors import ActionError
from orderflow.portal.access import as_contact_reads, portal_view, render_portal
from orderflow.portal.views import _bad_link
from orderflow.quotes.actions.confirmations import (
    Shown,
    accept_confirmation,
    for_portal,
    open_by_link,
    shown,
    shown_again,
)
from orderflow.quotes.models import Acceptance, Confirmation


def _approval(
    request: HttpRequest, confirmation: Confirmation, user: User | None, signed_in: Contact | None
) -> HttpResponse:
    request.signed_in_contact = signed_in  # type: ignore[attr-defined]
    if request.method == "POST":
        return _accept(request, confirmation, user)
    try:
        page = shown(confirmation)
    except ActionError as error:
        if error.code == "already_accepted":
            return _thanks(request, confirmation, already=True)
        return _bad_link(request, error.code, error.message, status=error.status)
    return _render(request, page)


def _render(
    request: HttpRequest,
    page: Shown,
    *,
    error: ActionError | None = None,
    posted: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {
        "page": page,
        "summary": page.summary,
        "order": page.confirmation.order,
        "error": error,
        "posted": posted or {},
    }
    return render_portal(
        request,
        "portal/approval.html",
        context,
        contact=getattr(request, "signed_in_contact", None),
        status=error.status if error else 200,
    )


def _accept(request: HttpRequest, confirmation: Confirmation, user: User | None) -> HttpResponse:
    token = request.POST.get("shown", "")
    try:
        accept_confirmation(
            confirmation,
            shown_token=token,
            contact_id=request.POST.get("contact"),
            agree=request.POST.get("agree"),
            authorised=request.POST.get("authorised"),
            user=user,
            ip_address=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except ActionError as error:
        if error.code == "already_accepted":
            return _thanks(request, confirmation, already=True, status=409)
        # Newer terms or another version: the page as it is now; otherwise the page as it was shown.
        page = (
            None if error.code in ("terms_changed", "summary_changed") else shown_again(confirmation, token)
        )
        if page is None:
            try:
                page = shown(confirmation)
            except ActionError as closed:
                return _bad_link(request, closed.code, closed.message, status=closed.status)
        return _render(request, page, error=error, posted=request.POST.dict())
    return _thanks(request, confirmation)


def _thanks(
    request: HttpRequest, confirmation: Confirmation, *, already: bool = False, status: int = 200
) -> HttpResponse:
    acceptance = Acceptance.objects.filter(confirmation=confirmation).first()
    context = {"order": confirmation.order, "acceptance": acceptance, "already": already}
    return render_portal(
        request,
        "portal/approval_thanks.html",
        context,
        contact=getattr(request, "signed_in_contact", None),
        status=status,
    )


def _as(contact: Contact, request: HttpRequest, page: Callable[[], HttpResponse]) -> HttpResponse:
    return as_contact_reads(request, contact, page)


@require_http_methods(["GET", "POST"])
def approval(request: HttpRequest, token: str) -> HttpResponse:
    response = _by_link(request, token)
    # As every page behind a link (portal.views.behind_link), never cached and its token never sent to
    # another site; but its form posts to itself, and under "no-referrer" browsers send `Origin: null`,
    # which Django's CSRF check refuses: "same-origin" keeps the Origin for this site only.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _by_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        confirmation = open_by_link(token)
    except ActionError as error:
        return _bad_link(
            request, error.code, error.message, status=404 if error.code == "invalid" else error.status
        )
    return _as(confirmation.contact, request, lambda: _approval(request, confirmation, None, None))


@portal_view
@require_http_methods(["GET", "POST"])
def my_approval(request: HttpRequest, contact: Contact, number: int, confirmation_id: int) -> HttpResponse:
    confirmation = for_portal(contact, number, confirmation_id)
    if confirmation is None:
        raise Http404("No such confirmation")
    return _approval(request, confirmation, request.user, contact)  # type: ignore[arg-type]
