from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "orderflow.integrations"
    label = "integrations"
