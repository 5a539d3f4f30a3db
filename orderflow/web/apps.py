from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "orderflow.web"
    label = "web"
