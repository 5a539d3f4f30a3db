from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "orderflow.portal"
    label = "portal"
