from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "orderflow.demo"
    label = "demo"
