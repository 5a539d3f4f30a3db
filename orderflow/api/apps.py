from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "orderflow.api"
    label = "api"
