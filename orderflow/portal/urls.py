from __future__ import annotations

from django.urls import path

from orderflow.portal import account, approval, ordering, people, people_import, views

# Short prefixes: these links travel in SMS. They match orderflow.notifications.links.PURPOSES.
signed_links = [
    path("t/<str:token>/", views.track, name="portal_track"),
    path("t/<str:token>/move/", views.track_move, name="portal_track_move"),
    path("t/<str:token>/cancel/", views.track_cancel, name="portal_track_cancel"),
    path("t/<str:token>/files/<int:attachment_id>/", views.track_file, name="portal_track_file"),
    path("t/<str:token>/quote/<int:version>/<str:answer>/", views.track_quote, name="portal_track_quote"),
    path("q/<str:token>/", views.quote_link, name="portal_quote"),
    path("q/<str:token>/<str:answer>/", views.quote_link_answer, name="portal_quote_answer"),
    path("f/<str:token>/", views.rate, name="portal_rate"),
    path("d/<str:token>/", views.delivery_time, name="portal_delivery_time"),
    path("p/<str:token>/", views.preferences, name="portal_preferences"),
    path("u/<str:token>/", views.unsubscribe, name="portal_unsubscribe"),
    # A customer confirmation's approval link (notifications.links.APPROVAL_PREFIX).
    path("a/<str:token>/", approval.approval, name="portal_approval"),
    path("t/<str:token>/participants/", people.participants, name="portal_track_participants"),
    path("t/<str:token>/participants/import/", people_import.link_upload, name="portal_track_import"),
    path("t/<str:token>/participants/import/<int:import_id>/", people_import.link_detail),
    path("t/<str:token>/participants/import/<int:import_id>/progress/", people_import.link_progress),
    path("t/<str:token>/participants/import/<int:import_id>/refused.csv", people_import.link_refused),
    path("o/<str:token>/", people.opt_in, name="lead_opt_in"),
]

# The signed-in portal of a contact with a portal login: the same order pages, by order number.
signed_in = [
    path("my/", account.my_orders, name="portal_orders"),
    path("my/reach/", account.reach_answer, name="portal_reach"),
    path("my/order/new/", ordering.order_new, name="portal_order_new"),
    path("my/order/new/place/", ordering.order_place, name="portal_order_place"),
    path("my/order/request/", ordering.request_new, name="portal_request_new"),
    path("my/orders/<int:number>/", views.my_order, name="portal_order"),
    path("my/orders/<int:number>/rate/", views.my_order_rate, name="portal_order_rate"),
    path("my/orders/<int:number>/delivery/", views.my_order_delivery_time, name="portal_order_delivery"),
    path("my/orders/<int:number>/move/", views.my_order_move, name="portal_order_move"),
    path("my/orders/<int:number>/cancel/", views.my_order_cancel, name="portal_order_cancel"),
    path(
        "my/orders/<int:number>/confirmations/<int:confirmation_id>/",
        approval.my_approval,
        name="portal_order_approval",
    ),
    path(
        "my/orders/<int:number>/quote/<int:version>/<str:answer>/",
        views.my_order_quote,
        name="portal_order_quote",
    ),
    path("my/orders/<int:number>/files/<int:attachment_id>/", views.my_order_file, name="portal_order_file"),
    path("my/conversations/", account.conversations, name="portal_conversations"),
    path("my/orders/<int:number>/participants/", people.my_participants, name="portal_order_participants"),
    path("my/orders/<int:number>/participants/import/", people_import.my_upload, name="portal_order_import"),
    path("my/orders/<int:number>/participants/import/<int:import_id>/", people_import.my_detail),
    path("my/orders/<int:number>/participants/import/<int:import_id>/progress/", people_import.my_progress),
    path("my/orders/<int:number>/participants/import/<int:import_id>/refused.csv", people_import.my_refused),
    path("my/inbox/", account.inbox, name="portal_inbox"),
    path("my/inbox/read/", account.inbox_read, name="portal_inbox_read"),
    path("my/settings/", views.my_preferences, name="portal_my_preferences"),
    path("my/settings/password/", account.change_password, name="portal_password_change"),
]

urlpatterns = signed_links + signed_in
