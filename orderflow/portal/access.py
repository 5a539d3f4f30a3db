"""Who may see the signed-in portal: a user who is a customer's contact (their portal login).

Staff pages check memberships and never let a contact in; these pages check the contact and never
serve a user without one. Another customer's order, item or page answers 404, not 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation

from orderflow.accounts.models import Contact
from orderflow.accounts.selectors import contact_of_user, works_for_a_seller
from orderflow.conversations.selectors import unread_thread_count_for_customer
from orderflow.notifications.selectors import unread_count

PortalView = Callable[..., HttpResponse]


def portal_view(view: PortalView) -> PortalView:
    """Resolve the signed-in user to their contact and call `view(request, contact, ...)`, with dates
    shown in the contact's time zone and the page in the contact's language."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        contact = contact_of_user(request.user.pk)
        if contact is None:
            # Staff who open a customer's address land in their own workspace instead.
            if works_for_a_seller(request.user.pk):
                return redirect("home")
            raise Http404("This login has no customer portal")
        return as_contact_reads(request, contact, lambda: view(request, contact, **kwargs))

    return wrapper


def as_contact_reads(
    request: HttpRequest, contact: Contact, page: Callable[[], HttpResponse]
) -> HttpResponse:
    """Make the page in the contact's language and time zone, whoever opens it (their portal login or a
    link they were sent) and whatever the browser asks for."""
    with timezone.override(contact.time_zone), translation.override(contact.locale):
        request.LANGUAGE_CODE = contact.locale
        response = page()
    response.headers["Content-Language"] = contact.locale
    return response


def render_portal(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    contact: Contact | None,
    status: int = 200,
) -> HttpResponse:
    """Render a customer page. Signed in (`contact` given), the header carries the portal's menu with
    the inbox's unread badge; reached by a signed link (None), it shows the seller's name only."""
    full = dict(context)
    if contact is not None:
        full |= {
            "portal_contact": contact,
            "inbox_unread": unread_count(contact),
            "conversations_unread": unread_thread_count_for_customer(contact),
            # someone both staff and customer can go back
            "workspace_too": works_for_a_seller(contact.user_id),
        }
    return render(request, template, full, status=status)
