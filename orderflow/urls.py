from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from orderflow.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("orderflow.portal.urls")),
    path("", include("orderflow.web.urls")),
]
