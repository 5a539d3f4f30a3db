"""The Conversations section: every order's thread in one list, the newest message first, with what
the member has not read; one thread opens beside its order's summary, to read and to answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from orderflow.accounts.models import Membership
from orderflow.conversations.actions import mark_thread_read, post_message
from orderflow.conversations.selectors import (
    THREAD_FILTERS,
    last_messages,
    newest_message_id,
    thread_for_staff,
    threads_for_staff,
)
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.orders.models import Order
from orderflow.web.access import order_or_404, render_seller, seller_view
from orderflow.web.forms import MessageForm, attached, error_summary

PAGE_SIZE = 30

FILTER_LABELS = {
    "": pgettext_lazy("conversations", "All"),
    "unread": pgettext_lazy("conversations", "Unread"),
    "mine": pgettext_lazy("conversations", "Mine"),
    "unassigned": pgettext_lazy("conversations", "Unassigned"),
    "waiting_us": pgettext_lazy("conversations", "Waiting for us"),
    "waiting_customer": pgettext_lazy("conversations", "Waiting for the customer"),
}
assert set(FILTER_LABELS) == {"", "unread", *THREAD_FILTERS}


@seller_view
def conversations(request: HttpRequest, membership: Membership) -> HttpResponse:
    show = request.GET.get("show", "")
    if show not in FILTER_LABELS:
        show = ""
    page = Paginator(threads_for_staff(membership, show=show), PAGE_SIZE).get_page(request.GET.get("page"))
    threads = list(page.object_list)
    last = last_messages(threads)
    rows = [{"order": order, "last": last.get(order.last_message_id)} for order in threads]  # type: ignore[attr-defined]
    filters = [{"key": key, "label": label, "current": key == show} for key, label in FILTER_LABELS.items()]
    context = {"page": page, "rows": rows, "filters": filters, "show": show}
    return render_seller(request, membership, "web/conversations.html", context)


@seller_view
def conversation(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    """One thread beside its order's summary; opening it marks it read for the member."""
    order = order_or_404(membership, number)
    mark_thread_read(order, up_to=newest_message_id(order, customer=False), actor=Actor.staff(membership))
    return _page(request, membership, order, MessageForm())


def _page(
    request: HttpRequest, membership: Membership, order: Order, form: MessageForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "order": order,
        "thread": thread_for_staff(order),
        "message_form": form,
        "files_base": f"/s/{membership.seller.slug}/orders/{order.number}/files/",
        "totals": order.totals(),
    }
    return render_seller(request, membership, "web/conversation.html", context, status=status)


@seller_view
@require_POST
def conversation_reply(request: HttpRequest, membership: Membership, number: int) -> HttpResponse:
    """The order page's message form, answered here: the same action, back to the thread."""
    order = order_or_404(membership, number)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, order, form, status=400)
    data = form.cleaned_data
    try:
        post_message(
            order,
            body=data["body"],
            internal=data["internal"],
            files=attached(data["attachments"]),
            actor=Actor.staff(membership),
        )
    except ActionError as error:
        messages.error(request, error.message)
        return _page(request, membership, order, form, status=error.status)
    if data["internal"]:
        messages.success(request, _("Internal note added."))
    else:
        messages.success(request, _("Message sent to %(customer)s.") % {"customer": order.customer.name})
    return redirect("conversation", seller_slug=membership.seller.slug, number=order.number)
