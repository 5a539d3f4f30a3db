"""A staff member's in-app inbox: what notifications told them, unread first in the badge."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from orderflow.accounts.models import Membership
from orderflow.core.actors import Actor
from orderflow.notifications.actions import mark_all_inbox_read, mark_inbox_read
from orderflow.notifications.selectors import inbox as inbox_items
from orderflow.notifications.selectors import inbox_item
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import error_summary
from orderflow.web.notification_forms import InboxReadForm

PAGE_SIZE = 50


@seller_view
def inbox(request: HttpRequest, membership: Membership) -> HttpResponse:
    page = Paginator(inbox_items(membership), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_seller(request, membership, "web/inbox.html", {"page": page, "items": page.object_list})


@seller_view
@require_POST
def inbox_read(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = InboxReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_summary(form))
        return redirect("inbox", seller_slug=membership.seller.slug)
    actor = Actor.staff(membership)
    if form.cleaned_data["all"]:
        count = mark_all_inbox_read(actor=actor)
    else:
        item = inbox_item(membership, form.cleaned_data["item"])
        if item is None:  # someone else's item, or none at all: it is not in this inbox
            raise Http404("No such message")
        count = mark_inbox_read([item], actor=actor)
    messages.success(
        request,
        ngettext("%(count)s message marked as read.", "%(count)s messages marked as read.", count)
        % {"count": count},
    )
    return redirect("inbox", seller_slug=membership.seller.slug)
