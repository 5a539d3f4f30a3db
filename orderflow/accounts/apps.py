from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "orderflow.accounts"
    label = "accounts"
