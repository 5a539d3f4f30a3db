"""Pages a customer reaches from a link in a message, without logging in, or signed in to the portal.
A link is a grant (see notifications.links) for one purpose on one order of one contact; a damaged,
expired, revoked or misused link shows why and changes nothing. Pages behind a link are never cached
and never tell the next site their address (the token). Signed in, the same pages are reached by the
order's number among the contact's customer's orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orderflow.accounts.models import Contact
from orderflow.conversations.actions import customer_may_write, post_message
from orderflow.conversations.files import download
from orderflow.conversations.selectors import attachment_for_customer, thread_for_customer
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError, Conflict
from orderflow.core.formatting import clock, long_day
from orderflow.notifications import links, windows
from orderflow.notifications.actions import (
    awaits_delivery_time,
    choose_delivery_time,
    delivery_slots,
    record_feedback,
    save_preferences,
    set_preference,
)
from orderflow.notifications.channels import registry
from orderflow.notifications.models import (
    CUSTOMER_CATEGORIES,
    Category,
    Channel,
    DeliverySchedule,
    LinkGrant,
    LinkPurpose,
    NotificationSettings,
    Preference,
)
from orderflow.orders.actions import available_transitions, can_cancel, cancel_order, transition_order
from orderflow.orders.models import Order, totals_of
from orderflow.portal import selectors
from orderflow.portal.access import as_contact_reads, portal_view, render_portal
from orderflow.portal.forms import (
    CancelForm,
    DeliveryTimeForm,
    FeedbackForm,
    MessageForm,
    MoveForm,
    OrderChangeForm,
    PreferencesForm,
)
from orderflow.web.forms import attached, error_summary

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Reached:
    """An order as its customer reached it: by a link (`grant`, `token`) or signed in to the portal (no
    token). Both ways show the same pages, made by the same views; only their addresses differ."""

    order: Order
    contact: Contact
    token: str = ""
    grant: LinkGrant | None = None

    @property
    def signed_in(self) -> bool:
        return not self.token

    def url(self, page: str) -> str:
        """Where one of this order's pages is: track, rate, delivery, prefs, cancel or move."""
        if self.signed_in:
            if page == "prefs":
                return reverse("portal_my_preferences")
            return reverse(SIGNED_IN_PAGES[page], kwargs={"number": self.order.number})
        if page in ("cancel", "move"):
            return reverse(f"portal_track_{page}", kwargs={"token": self.token})
        assert self.grant is not None
        if page == self.grant.purpose:
            prefix, _days = links.PURPOSES[LinkPurpose(page)]
            return f"/{prefix}/{self.token}/"
        return links.url_of(links.offered_from(self.grant, page))


SIGNED_IN_PAGES = {
    "track": "portal_order",
    "rate": "portal_order_rate",
    "delivery": "portal_order_delivery",
    "cancel": "portal_order_cancel",
    "move": "portal_order_move",
}


def _bad_link(request: HttpRequest, code: str, message: str, *, status: int = 404) -> HttpResponse:
    return render(request, "portal/bad_link.html", {"code": code, "message": message}, status=status)


def behind_link(view: View) -> View:
    """A page reached by a link: no cache keeps it, no Referer carries its token to another site."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


def order_link(purpose: str) -> Callable[[View], View]:
    """Resolve a link to an order into what the customer reached, if its purpose acts in the order's
    state (a delivery-time link only while the order waits for one)."""

    def decorate(view: View) -> View:
        @behind_link
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
            try:
                grant = links.resolve(purpose, token)
                order, contact = selectors.order_for_contact(grant.order_id or 0, grant.contact_id)
            except links.BadLink as exc:
                return _bad_link(request, exc.code, exc.message)
            except (Order.DoesNotExist, Contact.DoesNotExist):
                return _bad_link(request, "not_yours", _("This link no longer points to an order of yours."))
            if purpose == LinkPurpose.DELIVERY and not awaits_delivery_time(order):
                message = _("This order is not waiting for a delivery time.")
                return _bad_link(request, "not_waiting", message, status=409)
            return as_contact_reads(
                request, contact, lambda: view(request, Reached(order, contact, token, grant), **kwargs)
            )

        return wrapper

    return decorate


def signed_in_order(view: View) -> View:
    """The same pages for a contact signed in to the portal: the order by its number, among their
    customer's orders at their seller only (anyone else's answers 404)."""

    @portal_view
    @wraps(view)
    def wrapper(request: HttpRequest, contact: Contact, number: int, **kwargs: Any) -> HttpResponse:
        try:
            order = selectors.order_of_contact(contact, number)
        except Order.DoesNotExist:
            raise Http404("No such order") from None
        return view(request, Reached(order, contact), **kwargs)

    return wrapper


def _page(
    request: HttpRequest, template: str, reached: Reached, *, status: int = 200, **extra: Any
) -> HttpResponse:
    order, contact = reached.order, reached.contact
    context = {
        "order": order,
        "contact": contact,
        "seller": order.seller,
        "order_status": order.current_state.customer_label(contact.locale),
        "preferences_url": reached.url("prefs"),
        "track_url": reached.url("track"),
        **extra,
    }
    return render_portal(
        request, template, context, contact=contact if reached.signed_in else None, status=status
    )


def _track(request: HttpRequest, reached: Reached) -> HttpResponse:
    order, contact = reached.order, reached.contact
    posted = request.method == "POST"
    form, status = MessageForm(request.POST if posted else None, request.FILES if posted else None), 400
    if posted and form.is_valid():
        try:
            files = attached(form.cleaned_data["attachments"])
            post_message(order, body=form.cleaned_data["body"], files=files, actor=Actor.customer(contact))
        except ActionError as exc:
            form.add_error("attachments" if exc.details.get("field") == "files" else "body", exc.message)
            status = exc.status
        else:
            messages.success(request, _("Your message was sent."))
            return redirect(f"{request.path}#thread")
    return _track_page(request, reached, form=form, status=status if form.errors else 200)


def _track_page(
    request: HttpRequest,
    reached: Reached,
    *,
    form: MessageForm | None = None,
    bound: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The order page; `bound` puts back the change form just refused, with its errors."""
    order, contact = reached.order, reached.contact
    actor = Actor.customer(contact)
    done = order.current_state.category == "done"
    feedback = selectors.feedback_for(order)
    moves = []
    for transition in available_transitions(order, actor):
        move = bound if isinstance(bound, MoveForm) and bound.data.get("to") == transition.target else None
        if move is None:
            initial = {"version": order.version, "to": transition.target}
            move = MoveForm(initial=initial, auto_id=f"id_to_{transition.target}_%s")
        label = transition.customer_label(contact.locale)
        moves.append({"label": label, "note": transition.note, "form": move})
    cancel_form = bound if isinstance(bound, CancelForm) else CancelForm(initial={"version": order.version})
    lines = list(order.lines.all())
    return _page(
        request,
        "portal/track.html",
        reached,
        status=status,
        form=form or MessageForm(),
        may_write=customer_may_write(order),
        lines=lines,
        totals=totals_of(lines),
        timeline=selectors.timeline(order, contact.locale),
        thread=thread_for_customer(order),
        files_url=f"{reached.url('track')}files/",
        delivery_time=selectors.chosen_delivery_time(order),
        shipments=selectors.shipments_of(order),
        feedback=feedback,
        rate_url=reached.url("rate") if done and not feedback else "",
        moves=moves,
        move_url=reached.url("move"),
        cancel_form=cancel_form if can_cancel(order, actor) else None,
        cancel_url=reached.url("cancel"),
        participants_url=(
            reverse("portal_order_participants", kwargs={"number": order.number})
            if reached.signed_in
            else f"{reached.url('track')}participants/"
        ),
    )


def _change(
    request: HttpRequest, reached: Reached, form: OrderChangeForm, change: Callable[[], str]
) -> HttpResponse:
    """Make a customer's change through its action and go back to the order page; a refused change
    shows the page again with the reason, and changes nothing."""
    if not form.is_valid():
        messages.error(request, _("Nothing was changed. %(problem)s") % {"problem": error_summary(form)})
        return _track_page(request, reached, bound=form, status=400)
    try:
        done = change()
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect(reached.url("track"))
    except ActionError as exc:
        messages.error(request, exc.message)
        return _track_page(request, reached, bound=form, status=exc.status)
    messages.success(request, done)
    return redirect(reached.url("track"))


def _move(request: HttpRequest, reached: Reached) -> HttpResponse:
    order, contact = reached.order, reached.contact
    form = MoveForm(request.POST, auto_id=f"id_to_{request.POST.get('to', '')}_%s")

    def change() -> str:
        data = form.cleaned_data
        moved = transition_order(
            order,
            to=data["to"],
            note=data["note"],
            actor=Actor.customer(contact),
            expected_version=data["version"],
        )
        return _("Done. Status: %(status)s.") % {"status": moved.current_state.customer_label(contact.locale)}

    return _change(request, reached, form, change)


def _cancel(request: HttpRequest, reached: Reached) -> HttpResponse:
    order, contact = reached.order, reached.contact
    form = CancelForm(request.POST)

    def change() -> str:
        data = form.cleaned_data
        cancel_order(
            order, reason=data["reason"], actor=Actor.customer(contact), expected_version=data["version"]
        )
        return _("Your order is cancelled.")

    return _change(request, reached, form, change)


def _rate(request: HttpRequest, reached: Reached) -> HttpResponse:
    order, contact = reached.order, reached.contact
    form, status = FeedbackForm(request.POST or None), 400
    if request.method == "POST" and form.is_valid():
        try:
            record_feedback(
                order,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                actor=Actor.customer(contact),
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(reached.url("track"))
    return _page(
        request,
        "portal/rate.html",
        reached,
        form=form,
        feedback=selectors.feedback_for(order),
        status=status if form.errors else 200,
    )


def _delivery_time(request: HttpRequest, reached: Reached) -> HttpResponse:
    order, contact = reached.order, reached.contact
    slots = {slot.isoformat(): slot for slot in delivery_slots(order)}
    # Day names, dates and times in the contact's language and time zone, with the zone's name.
    labels = [
        (key, _("%(day)s, from %(time)s") % {"day": long_day(slot), "time": clock(slot)})
        for key, slot in slots.items()
    ]
    form, status = DeliveryTimeForm(request.POST or None, slots=labels), 400
    if request.method == "POST" and form.is_valid():
        try:
            choose_delivery_time(order, slot=slots[form.cleaned_data["slot"]], actor=Actor.customer(contact))
        except ActionError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Thank you: your delivery time is booked."))
            return redirect(reached.url("track"))
    return _page(
        request,
        "portal/delivery_time.html",
        reached,
        form=form,
        chosen=selectors.chosen_delivery_time(order),
        status=status if form.errors else 200,
    )


def _file(request: HttpRequest, reached: Reached, attachment_id: int) -> HttpResponse:
    """A file of one of the order's public messages, as a download; never one of an internal note."""
    attachment = attachment_for_customer(reached.order, attachment_id)
    if attachment is None:
        raise Http404("No such file")
    return download(attachment)


# One view per page and per way in: a signed link (the short paths messages carry) or signed in.
track_file = order_link("track")(require_GET(_file))
my_order_file = signed_in_order(require_GET(_file))
track = order_link("track")(require_http_methods(["GET", "POST"])(_track))
rate = order_link("rate")(require_http_methods(["GET", "POST"])(_rate))
delivery_time = order_link("delivery")(require_http_methods(["GET", "POST"])(_delivery_time))
track_move = order_link("track")(require_POST(_move))
track_cancel = order_link("track")(require_POST(_cancel))
my_order = signed_in_order(require_http_methods(["GET", "POST"])(_track))
my_order_rate = signed_in_order(require_http_methods(["GET", "POST"])(_rate))
my_order_delivery_time = signed_in_order(require_http_methods(["GET", "POST"])(_delivery_time))
my_order_move = signed_in_order(require_POST(_move))
my_order_cancel = signed_in_order(require_POST(_cancel))


def contact_link(purpose: str) -> Callable[[View], View]:
    """Resolve a link to a contact's own settings (their preferences, unsubscribe)."""

    def decorate(view: View) -> View:
        @behind_link
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
            try:
                grant = links.resolve(purpose, token)
            except links.BadLink as exc:
                return _bad_link(request, exc.code, exc.message)
            contact = grant.contact
            return as_contact_reads(request, contact, lambda: view(request, grant, contact))

        return wrapper

    return decorate


@contact_link("prefs")
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, grant: LinkGrant, contact: Contact) -> HttpResponse:
    return _preferences(request, contact, signed_in=False)


@portal_view
@require_http_methods(["GET", "POST"])
def my_preferences(request: HttpRequest, contact: Contact) -> HttpResponse:
    return _preferences(request, contact, signed_in=True)


def _preferences(request: HttpRequest, contact: Contact, *, signed_in: bool) -> HttpResponse:
    channels = registry.choices_for("contact", signed_in=bool(contact.user_id))
    form = PreferencesForm(request.POST or None, channels=channels, initial=_initial(contact))
    if request.method == "POST" and form.is_valid():
        try:
            save_preferences(contact, choices=form.choices(), week=form.week(), actor=Actor.customer(contact))
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect(request.path)
    return render_portal(
        request,
        "portal/preferences.html",
        {"form": form, "contact": contact, "seller": contact.customer.seller},
        contact=contact if signed_in else None,
        status=400 if form.errors else 200,
    )


def _initial(contact: Contact) -> dict[str, Any]:
    prefs = {p.category: p for p in Preference.objects.filter(contact=contact)}
    initial: dict[str, Any] = {}
    for category in CUSTOMER_CATEGORIES:
        pref = prefs.get(category.value)
        initial[f"{category.value}_on"] = pref.enabled if pref else True
        initial[f"{category.value}_channels"] = (
            pref.channels if pref and pref.channels else contact.preferred_channels or [Channel.EMAIL]
        )
    own = DeliverySchedule.objects.filter(contact=contact).first()
    seller_settings = NotificationSettings.objects.filter(seller_id=contact.customer.seller_id).first()
    schedule = (
        own.schedule
        if own
        else (seller_settings.default_window if seller_settings else windows.DEFAULT_SCHEDULE)
    )
    initial["use_seller_hours"] = own is None
    for index in range(7):
        initial[f"day_{index}"] = windows.format_spans(schedule.get(str(index), []))
    return initial


@csrf_exempt  # RFC 8058: mail clients POST here without a form; the signed link is the authority
@contact_link("unsubscribe")
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, grant: LinkGrant, contact: Contact) -> HttpResponse:
    if request.method == "POST":
        set_preference(
            contact, category=Category.MARKETING, enabled=False, channels=[], actor=Actor.customer(contact)
        )
        return render(
            request,
            "portal/unsubscribed.html",
            {
                "contact": contact,
                "at": timezone.now(),
                "preferences_url": links.url_of(links.offered_from(grant, LinkPurpose.PREFS)),
            },
        )
    return render(request, "portal/unsubscribe.html", {"contact": contact})
