from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "orderflow.transfers"
    label = "transfers"
    verbose_name = "Imports and exports"
