from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orderflow.orders"
    label = "orders"
