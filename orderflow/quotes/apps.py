from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "orderflow.quotes"
    label = "quotes"
    verbose_name = "Quotes"
