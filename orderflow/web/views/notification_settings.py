"""The seller's notification settings (owners and managers change them; other staff read them): default
delivery hours and senders, the rules per order type, and the wording of each message."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from orderflow.accounts.models import Membership, Role
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications.actions import reset_template, save_template, update_rule, update_settings
from orderflow.notifications.render import PLACEHOLDERS
from orderflow.notifications.selectors import (
    TemplateSource,
    rule_of,
    rules_of,
    seller_settings,
    template_locales,
    template_source,
    template_table,
)
from orderflow.web.access import render_seller, seller_view
from orderflow.web.forms import error_summary
from orderflow.web.notification_forms import RuleForm, SellerSettingsForm, TemplateForm

LOCALE_NAMES = {"en": gettext_lazy("English"), "fr": gettext_lazy("French")}


def _can_manage(membership: Membership) -> bool:
    """Whether to offer the forms; the actions themselves refuse anyone else."""
    return membership.role in (Role.OWNER, Role.MANAGER)


def _settings_url(membership: Membership, anchor: str = "") -> str:
    url = reverse("notification_settings", kwargs={"seller_slug": membership.seller.slug})
    return f"{url}#{anchor}" if anchor else url


@seller_view
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    current = seller_settings(membership.seller)
    if request.method != "POST":
        return _page(request, membership, SellerSettingsForm(current=current))
    form = SellerSettingsForm(request.POST, current=current)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, form, status=400)
    try:
        update_settings(membership.seller, actor=Actor.staff(membership), **form.values())
    except ActionError as error:
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": error.message})
        if error.details.get("field") in form.fields:
            form.add_error(error.details["field"], error.message)
        return _page(request, membership, form, status=error.status)
    messages.success(request, _("Notification settings saved."))
    return redirect(_settings_url(membership))


def _page(
    request: HttpRequest,
    membership: Membership,
    settings_form: SellerSettingsForm,
    *,
    bound_rule: tuple[int, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    groups = rules_of(membership.seller)
    rule_forms = {
        row.rule.pk: bound_rule[1] if bound_rule and bound_rule[0] == row.rule.pk else RuleForm(rule=row.rule)
        for group in groups
        for row in group.rules
    }
    context = {
        "can_manage": _can_manage(membership),
        "settings_form": settings_form,
        "groups": groups,
        "rule_forms": rule_forms,
        "templates": template_table(membership.seller),
        "locale_names": LOCALE_NAMES,
        "locales": template_locales(),
    }
    return render_seller(request, membership, "web/notification_settings.html", context, status=status)


@seller_view
@require_POST
def notification_rule(request: HttpRequest, membership: Membership, rule_id: int) -> HttpResponse:
    rule = rule_of(membership.seller, rule_id)
    if rule is None:
        raise Http404("No such rule")
    form = RuleForm(request.POST, rule=rule)
    settings_form = SellerSettingsForm(current=seller_settings(membership.seller))
    if not form.is_valid():
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": error_summary(form)})
        return _page(request, membership, settings_form, bound_rule=(rule.pk, form), status=400)
    try:
        update_rule(rule, actor=Actor.staff(membership), **form.cleaned_data)
    except ActionError as error:
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": error.message})
        return _page(request, membership, settings_form, bound_rule=(rule.pk, form), status=error.status)
    messages.success(request, _("Rule #%(pk)s saved.") % {"pk": rule.pk})
    return redirect(_settings_url(membership, f"rule-{rule.pk}"))


@seller_view
@require_http_methods(["GET", "POST"])
def message_template(request: HttpRequest, membership: Membership, key: str, locale: str) -> HttpResponse:
    source = template_source(membership.seller, key, locale)
    if source is None:
        raise Http404("No such message")
    if request.method != "POST":
        return _template_page(request, membership, source, TemplateForm(initial=source.current()))
    if request.POST.get("reset"):
        try:
            reset_template(membership.seller, key=key, locale=locale, actor=Actor.staff(membership))
        except ActionError as error:
            messages.error(request, error.message)
            return _template_page(
                request, membership, source, TemplateForm(initial=source.current()), status=403
            )
        messages.success(
            request,
            _("%(key)s (%(language)s) uses the default wording again.")
            % {"key": key, "language": LOCALE_NAMES.get(locale, locale)},
        )
        return redirect(request.path)
    form = TemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": error_summary(form)})
        return _template_page(request, membership, source, form, status=400)
    try:
        save_template(
            membership.seller, key=key, locale=locale, actor=Actor.staff(membership), **form.cleaned_data
        )
    except ActionError as error:
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": error.message})
        if error.details.get("field") in form.fields:
            form.add_error(error.details["field"], error.message)
        return _template_page(request, membership, source, form, status=error.status)
    messages.success(
        request,
        _("Your wording of %(key)s (%(language)s) is saved.")
        % {"key": key, "language": LOCALE_NAMES.get(locale, locale)},
    )
    return redirect(request.path)


def _template_page(
    request: HttpRequest,
    membership: Membership,
    source: TemplateSource,
    form: TemplateForm,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "source": source,
        "form": form,
        "can_manage": _can_manage(membership),
        "placeholders": sorted(PLACEHOLDERS),
        "locale_name": LOCALE_NAMES.get(source.locale, source.locale),
        "reworded_in": ", ".join(str(LOCALE_NAMES.get(code, code)) for code in source.reworded_in),
        # Template syntax shown as text, kept out of the translated sentence around it.
        "placeholder_example": "{{ customer_name }}",
        "condition_example": "{% if note %}…{% endif %}",
    }
    return render_seller(request, membership, "web/message_template.html", context, status=status)
