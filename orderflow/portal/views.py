"""Pages a customer reaches from a link in a message, without logging in. The signed link names the
order and the contact; a damaged, expired or misused link shows why and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from orderflow.accounts.models import Contact
from orderflow.conversations.actions import post_message
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications import links, windows
from orderflow.notifications.actions import (
    choose_delivery_time,
    delivery_slots,
    record_feedback,
    save_preferences,
    set_preference,
)
from orderflow.notifications.models import (
    Category,
    Channel,
    DeliverySchedule,
    NotificationSettings,
    Preference,
)
from orderflow.orders.models import Order
from orderflow.portal import selectors
from orderflow.portal.forms import DeliveryTimeForm, FeedbackForm, MessageForm, PreferencesForm

View = Callable[..., HttpResponse]


def _bad_link(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "portal/bad_link.html", {"message": message}, status=404)


def order_link(purpose: str) -> Callable[[View], View]:
    """Resolve a signed link naming an order and a contact into (order, contact)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, token: str) -> HttpResponse:
            try:
                data = links.read(purpose, token)
                order, contact = selectors.order_for_contact(int(data["order"]), int(data["contact"]))
            except links.BadLink as exc:
                return _bad_link(request, str(exc))
            except (KeyError, ValueError, Order.DoesNotExist, Contact.DoesNotExist):
                return _bad_link(request, "This link no longer points to an order of yours.")
            return view(request, token, order, contact)

        return wrapper

    return decorate


def _page(
    request: HttpRequest, template: str, order: Order, contact: Contact, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "order": order,
        "contact": contact,
        "seller": order.seller,
        "order_status": order.current_state.customer_label(contact.locale),
        "preferences_url": links.url("prefs", contact=contact.pk),
        **extra,
    }
    return render(request, template, context, status=status)


@order_link("track")
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, token: str, order: Order, contact: Contact) -> HttpResponse:
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post_message(order, body=form.cleaned_data["body"], actor=Actor.customer(contact))
        except ActionError as exc:
            form.add_error("body", exc.message)
        else:
            messages.success(request, "Your message was sent.")
            return redirect(f"{request.path}#thread")
    done = order.current_state.category == "done"
    feedback = selectors.feedback_for(order)
    return _page(
        request,
        "portal/track.html",
        order,
        contact,
        status=400 if form.errors else 200,
        form=form,
        lines=list(order.lines.all()),
        timeline=selectors.timeline(order, contact.locale),
        thread=selectors.public_messages(order),
        delivery_time=selectors.chosen_delivery_time(order),
        feedback=feedback,
        rate_url=links.url("rate", order=order.pk, contact=contact.pk) if done and not feedback else "",
    )


@order_link("rate")
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str, order: Order, contact: Contact) -> HttpResponse:
    form = FeedbackForm(request.POST or None)
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
        else:
            messages.success(request, "Thank you for your feedback.")
            return redirect(links.url("track", order=order.pk, contact=contact.pk))
    return _page(
        request,
        "portal/rate.html",
        order,
        contact,
        form=form,
        feedback=selectors.feedback_for(order),
        status=400 if form.errors else 200,
    )


@order_link("delivery")
@require_http_methods(["GET", "POST"])
def delivery_time(request: HttpRequest, token: str, order: Order, contact: Contact) -> HttpResponse:
    zone = ZoneInfo(order.seller.time_zone)
    slots = {slot.isoformat(): slot for slot in delivery_slots(order)}
    labels = [(key, f"{slot.astimezone(zone):%A %d %B, from %H:%M}") for key, slot in slots.items()]
    form = DeliveryTimeForm(request.POST or None, slots=labels)
    if request.method == "POST" and form.is_valid():
        try:
            choose_delivery_time(order, slot=slots[form.cleaned_data["slot"]], actor=Actor.customer(contact))
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Thank you: your delivery time is booked.")
            return redirect(links.url("track", order=order.pk, contact=contact.pk))
    return _page(
        request,
        "portal/delivery_time.html",
        order,
        contact,
        form=form,
        chosen=selectors.chosen_delivery_time(order),
        status=400 if form.errors else 200,
    )


def contact_link(purpose: str) -> Callable[[View], View]:
    """Resolve a signed link naming a contact (their settings, unsubscribe)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, token: str) -> HttpResponse:
            try:
                data = links.read(purpose, token)
                contact = Contact.objects.select_related("customer__seller").get(pk=int(data["contact"]))
            except links.BadLink as exc:
                return _bad_link(request, str(exc))
            except (KeyError, ValueError, Contact.DoesNotExist):
                return _bad_link(request, "This link no longer points to your settings.")
            return view(request, token, contact)

        return wrapper

    return decorate


@contact_link("prefs")
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str, contact: Contact) -> HttpResponse:
    channels = [c for c in Channel.values if c != Channel.IN_APP or contact.user_id]
    form = PreferencesForm(request.POST or None, channels=channels, initial=_initial(contact))
    if request.method == "POST" and form.is_valid():
        try:
            save_preferences(contact, choices=form.choices(), week=form.week(), actor=Actor.customer(contact))
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your notification settings are saved.")
            return redirect(request.path)
    seller = contact.customer.seller
    return render(
        request,
        "portal/preferences.html",
        {"form": form, "contact": contact, "seller": seller},
        status=400 if form.errors else 200,
    )


def _initial(contact: Contact) -> dict[str, Any]:
    prefs = {p.category: p for p in Preference.objects.filter(contact=contact)}
    initial: dict[str, Any] = {}
    for category in Category:
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
def unsubscribe(request: HttpRequest, token: str, contact: Contact) -> HttpResponse:
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
                "preferences_url": links.url("prefs", contact=contact.pk),
            },
        )
    return render(request, "portal/unsubscribe.html", {"contact": contact})
