"""The outbox: every message the seller's notifications wrote, how each went, and the sandbox copies
(what the recipient would have received, kept in the app instead of being sent)."""

from __future__ import annotations

from csp.decorators import csp_update
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse

from orderflow.accounts.models import Membership
from orderflow.notifications.outbox import PERSONAL_TEMPLATES
from orderflow.notifications.selectors import outbox as outbox_deliveries
from orderflow.notifications.selectors import outbox_delivery, readable
from orderflow.web.access import render_seller, seller_view
from orderflow.web.notification_forms import OutboxFilterForm

PAGE_SIZE = 50


def _hidden() -> frozenset[str]:
    """Messages whose sandbox copy staff may not read: a personal sign-in link is for its recipient only.
    With DEBUG on (the demo, where nothing is sent) they are shown, so an invitation can be followed."""
    return frozenset() if settings.DEBUG else PERSONAL_TEMPLATES


@seller_view
def outbox(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = OutboxFilterForm(request.GET)
    form.is_valid()  # invalid filters are listed on the page and left out of the query
    deliveries = outbox_deliveries(membership.seller, form.filters())
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_seller(
        request,
        membership,
        "web/outbox.html",
        {
            "form": form,
            "page": page,
            "deliveries": page.object_list,
            "personal_templates": _hidden(),
        },
    )


# The HTML email is previewed in a sandboxed frame, which takes this page's policy: its inline style
# attributes (the product's own email layout) are allowed here, nothing else.
@csp_update({"style-src-attr": ["'unsafe-inline'"]})
@seller_view
def outbox_message(request: HttpRequest, membership: Membership, delivery_id: int) -> HttpResponse:
    """Any delivery's message: the copy the sandbox kept, the in-app item, the call's script, or, for
    one not sent yet (held, pending, failed) or sent without a copy, the message written now."""
    delivery = outbox_delivery(membership.seller, delivery_id)
    if delivery is None or delivery.notification.template in _hidden():
        raise Http404("No such message")
    context = {"message": readable(delivery), "delivery": delivery, "notification": delivery.notification}
    return render_seller(request, membership, "web/outbox_message.html", context)
