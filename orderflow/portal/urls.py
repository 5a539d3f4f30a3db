from __future__ import annotations

from django.urls import path

from orderflow.portal import views

# Short prefixes: these links travel in SMS. They match orderflow.notifications.links.PURPOSES.
urlpatterns = [
    path("t/<str:token>/", views.track, name="portal_track"),
    path("f/<str:token>/", views.rate, name="portal_rate"),
    path("d/<str:token>/", views.delivery_time, name="portal_delivery_time"),
    path("p/<str:token>/", views.preferences, name="portal_preferences"),
    path("u/<str:token>/", views.unsubscribe, name="portal_unsubscribe"),
]
