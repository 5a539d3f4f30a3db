"""The seller's workspace: sign-in, then every page under /s/<seller_slug>/."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from orderflow.web.views import dashboard, home, order

order_patterns: list[URLPattern | URLResolver] = [
    path("", order.order_detail, name="order_detail"),
    path("transition/", order.order_transition, name="order_transition"),
    path("assign/", order.order_assign, name="order_assign"),
    path("estimate/", order.order_estimate, name="order_estimate"),
    path("notes/", order.order_notes, name="order_notes"),
    path("lines/<int:position>/", order.order_line, name="order_line"),
    path("cancel/", order.order_cancel, name="order_cancel"),
    path("refund/", order.order_refund, name="order_refund"),
    path("archive/", order.order_archive, name="order_archive"),
]

seller_patterns: list[URLPattern | URLResolver] = [
    path("", dashboard.seller_root, name="seller_root"),
    path("orders/", dashboard.dashboard, name="dashboard"),
    path("orders/<int:number>/", include(order_patterns)),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("s/<slug:seller_slug>/", include(seller_patterns)),
]
