"""The signed-in portal's own pages: a contact's orders and their in-app inbox. An order opens on the
same page its tracking link shows (`views.my_order`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from orderflow.accounts.actions import record_reach
from orderflow.accounts.models import Contact
from orderflow.conversations.selectors import last_messages, threads_for_customer
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.actions import mark_all_inbox_read, mark_inbox_read
from orderflow.notifications.selectors import inbox as inbox_items
from orderflow.notifications.selectors import inbox_item
from orderflow.portal import reach, selectors
from orderflow.portal.access import portal_view, render_portal
from orderflow.portal.forms import ReachForm
from orderflow.web.forms import error_summary
from orderflow.web.notification_forms import InboxReadForm

ORDERS_PAGE_SIZE = 20
INBOX_PAGE_SIZE = 30


@portal_view
def my_orders(request: HttpRequest, contact: Contact) -> HttpResponse:
    return my_orders_page(request, contact, reach=reach.question_for(request, contact))


def my_orders_page(
    request: HttpRequest, contact: Contact, *, reach: ReachForm | None, status: int = 200
) -> HttpResponse:
    page = Paginator(selectors.orders_of_contact(contact), ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(order, order.current_state.customer_label(contact.locale)) for order in page.object_list]
    context = {"page": page, "rows": rows, "seller": contact.customer.seller, "reach_form": reach}
    return render_portal(request, "portal/my_orders.html", context, contact=contact, status=status)


@portal_view
def conversations(request: HttpRequest, contact: Contact) -> HttpResponse:
    """The messages of the contact's orders, the newest first, with what they have not read; each opens
    on its order's page, where the thread is. Internal notes are not part of it at all."""
    threads = threads_for_customer(contact)
    page = Paginator(threads, ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    orders = list(page.object_list)
    last = last_messages(orders)
    rows = [{"order": order, "last": last.get(order.last_message_id)} for order in orders]  # type: ignore[attr-defined]
    context = {"page": page, "rows": rows, "seller": contact.customer.seller}
    return render_portal(request, "portal/conversations.html", context, contact=contact)


@portal_view
@require_POST
def reach_answer(request: HttpRequest, contact: Contact) -> HttpResponse:
    """The answer to the first-visit question (or "Later": not again in this session)."""
    if "later" in request.POST:
        request.session[reach.LATER] = True
        return redirect("portal_orders")
    form = reach.reach_form(contact, request.POST)
    if form.is_valid():
        try:
            channels = form.cleaned_data["channels"]
            record_reach(contact, channels=channels, hours=form.week(), actor=Actor.customer(contact))
        except ActionError as error:
            field = str(error.details.get("field", ""))
            form.add_error(f"day_{field}" if field.isdigit() else None, error.message)
        else:
            messages.success(request, _("Thank you: we will tell you that way."))
            return redirect("portal_orders")
    return my_orders_page(request, contact, reach=form, status=400)


@portal_view
def inbox(request: HttpRequest, contact: Contact) -> HttpResponse:
    page = Paginator(inbox_items(contact), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "items": page.object_list, "seller": contact.customer.seller}
    return render_portal(request, "portal/inbox.html", context, contact=contact)


@portal_view
@require_POST
def inbox_read(request: HttpRequest, contact: Contact) -> HttpResponse:
    """Open one item (it is marked read and its order shown), or mark them all read."""
    form = InboxReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_summary(form))
        return redirect("portal_inbox")
    actor = Actor.customer(contact)
    if form.cleaned_data["all"]:
        count = mark_all_inbox_read(actor=actor)
        messages.success(
            request,
            ngettext("%(count)s message marked as read.", "%(count)s messages marked as read.", count)
            % {"count": count},
        )
        return redirect("portal_inbox")
    item = inbox_item(contact, form.cleaned_data["item"])
    if item is None:  # someone else's item, or none at all: it is not in this inbox
        raise Http404("No such message")
    mark_inbox_read([item], actor=actor)
    if item.order is None or item.order.customer_id != contact.customer_id:
        return redirect("portal_inbox")
    return redirect("portal_order", number=item.order.number)


@portal_view
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest, contact: Contact) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)  # this session stays signed in, the others end
        messages.success(request, _("Your password is changed."))
        return redirect("portal_my_preferences")
    context = {"form": form, "seller": contact.customer.seller}
    status = 400 if form.errors else 200
    return render_portal(request, "portal/password_change.html", context, contact=contact, status=status)
