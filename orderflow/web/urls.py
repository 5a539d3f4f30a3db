"""The seller's workspace: sign-in, then every page under /s/<seller_slug>/."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from orderflow.web.account_forms import OutboxPasswordResetForm
from orderflow.web.views import (
    bulk,
    calls,
    catalog,
    customer_links,
    customers,
    dashboard,
    home,
    inbox,
    integrations,
    language,
    login,
    my_notifications,
    new_order,
    notification_settings,
    order,
    outbox,
    people_transfer,
    seller_settings,
    team,
)

order_patterns: list[URLPattern | URLResolver] = [
    path("", order.order_detail, name="order_detail"),
    path("transition/", order.order_transition, name="order_transition"),
    path("assign/", order.order_assign, name="order_assign"),
    path("estimate/", order.order_estimate, name="order_estimate"),
    path("notes/", order.order_notes, name="order_notes"),
    path("lines/<int:position>/", order.order_line, name="order_line"),
    path("lines/<int:position>/remove/", order.order_line_remove, name="order_line_remove"),
    path("lines/add/", order.order_line_add, name="order_line_add"),
    path("cancel/", order.order_cancel, name="order_cancel"),
    path("refund/", order.order_refund, name="order_refund"),
    path("archive/", order.order_archive, name="order_archive"),
    path("shipments/", order.order_shipment, name="order_shipment"),
    path("messages/", order.order_message, name="order_message"),
    path("files/<int:attachment_id>/", order.order_file, name="order_file"),
    path("invite-contact/", order.order_invite_contact, name="order_invite_contact"),
    path("unlock-contact/", order.order_unlock_contact, name="order_unlock_contact"),
    path("links/revoke/", customer_links.order_links_revoke, name="order_links_revoke"),
    path("contact/links/revoke/", customer_links.contact_links_revoke, name="contact_links_revoke"),
    path("contact/deactivate/", customer_links.contact_deactivate, name="contact_deactivate"),
    path("people/transfer/", people_transfer.people_transfer, name="people_transfer"),
    path("people/imports/", people_transfer.people_import_upload, name="people_import_upload"),
    path("people/imports/<int:import_id>/", people_transfer.people_import, name="people_import"),
    path(
        "people/imports/<int:import_id>/progress/",
        people_transfer.people_import_progress,
        name="people_import_progress",
    ),
    path(
        "people/imports/<int:import_id>/refused.csv",
        people_transfer.people_import_refused,
        name="people_import_refused",
    ),
    path(
        "people/export/<str:kind>.<str:file_format>",
        people_transfer.people_export,
        name="people_export",
    ),
    path("people/schedules/", people_transfer.people_schedule_add, name="people_schedule_add"),
    path(
        "people/schedules/<int:schedule_id>/",
        people_transfer.people_schedule_change,
        name="people_schedule_change",
    ),
]

seller_patterns: list[URLPattern | URLResolver] = [
    path("", dashboard.seller_root, name="seller_root"),
    path("orders/", dashboard.dashboard, name="dashboard"),
    path("orders/export.<str:file_format>", dashboard.dashboard_export, name="dashboard_export"),
    path("orders/bulk/", bulk.dashboard_bulk, name="dashboard_bulk"),
    path("orders/export-participants/", people_transfer.participants_export, name="participants_export"),
    path("downloads/", people_transfer.downloads, name="downloads"),
    path("downloads/<int:download_id>/", people_transfer.download_file, name="download_file"),
    path("downloads/<int:download_id>/remove/", people_transfer.download_remove, name="download_remove"),
    path("orders/new/", new_order.order_new, name="order_new"),
    path("orders/<int:number>/", include(order_patterns)),
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/<int:delivery_id>/", outbox.outbox_message, name="outbox_message"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read/", inbox.inbox_read, name="inbox_read"),
    path("calls/", calls.calls, name="calls"),
    path("customers/", customers.customers, name="customers"),
    path("customers/new/", customers.customer_new, name="customer_new"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer_detail"),
    path("customers/<int:customer_id>/edit/", customers.customer_edit, name="customer_edit"),
    path("customers/<int:customer_id>/contacts/new/", customers.contact_new, name="contact_new"),
    path(
        "customers/<int:customer_id>/contacts/<int:contact_id>/",
        customers.contact_edit,
        name="contact_edit",
    ),
    path(
        "customers/<int:customer_id>/contacts/<int:contact_id>/deactivate/",
        customers.contact_deactivate,
        name="customer_contact_deactivate",
    ),
    path(
        "customers/<int:customer_id>/contacts/<int:contact_id>/reactivate/",
        customers.contact_reactivate,
        name="customer_contact_reactivate",
    ),
    path("calls/<int:task_id>/done/", calls.call_done, name="call_done"),
    path(
        "settings/notifications/",
        notification_settings.notification_settings,
        name="notification_settings",
    ),
    path(
        "settings/notifications/rules/<int:rule_id>/",
        notification_settings.notification_rule,
        name="notification_rule",
    ),
    path(
        "settings/notifications/messages/<slug:key>/<slug:locale>/",
        notification_settings.message_template,
        name="message_template",
    ),
    path("settings/me/", my_notifications.my_notifications, name="my_notifications"),
    path("settings/me/language/", language.my_language, name="my_language"),
    path("settings/me/password/", login.change_password, name="password_change"),
    path("settings/team/", team.team, name="team"),
    path("settings/seller/", seller_settings.seller_settings, name="seller_settings"),
    path(
        "settings/seller/order-types/<int:order_type_id>/",
        seller_settings.order_type_options,
        name="order_type_options",
    ),
    path("settings/seller/carriers/", seller_settings.carrier_add, name="carrier_add"),
    path(
        "settings/seller/carriers/<int:carrier_id>/toggle/",
        seller_settings.carrier_toggle,
        name="carrier_toggle",
    ),
    path("settings/team/<int:member_id>/unlock/", team.team_unlock, name="team_unlock"),
    path("settings/catalog/", catalog.catalog, name="catalog"),
    path("settings/catalog/new/", catalog.catalog_item_new, name="catalog_item_new"),
    path("settings/catalog/<int:item_id>/", catalog.catalog_item, name="catalog_item"),
    path(
        "settings/catalog/<int:item_id>/availability/",
        catalog.catalog_item_availability,
        name="catalog_item_availability",
    ),
    path("settings/catalog/import/", catalog.catalog_import, name="catalog_import"),
    path(
        "settings/catalog/import/<int:import_id>/",
        catalog.catalog_import_detail,
        name="catalog_import_detail",
    ),
    path("settings/integrations/", integrations.integrations, name="integrations"),
    path("settings/integrations/tokens/", integrations.api_token_create, name="api_token_create"),
    path(
        "settings/integrations/tokens/<int:token_id>/revoke/",
        integrations.api_token_revoke,
        name="api_token_revoke",
    ),
    path("settings/integrations/webhooks/", integrations.webhook_create, name="webhook_create"),
    path(
        "settings/integrations/webhooks/<int:endpoint_id>/",
        integrations.webhook_endpoint,
        name="webhook_endpoint",
    ),
    path(
        "settings/integrations/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/",
        integrations.webhook_redeliver,
        name="webhook_redeliver",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", language.switch_language, name="switch_language"),
    path("invitation/<str:token>/", login.invitation, name="invitation"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=OutboxPasswordResetForm, template_name="web/password_reset_form.html"
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="web/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="web/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("s/<slug:seller_slug>/", include(seller_patterns)),
]
