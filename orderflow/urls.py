from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from orderflow.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Inbound email from providers (replies land in the thread): orderflow/api/inbound_email.py.
    path("anymail/", include("anymail.urls")),
    path("", include("orderflow.portal.urls")),
    path("", include("orderflow.web.urls")),
]
