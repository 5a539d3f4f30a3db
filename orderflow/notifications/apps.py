from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "orderflow.notifications"
    label = "notifications"
