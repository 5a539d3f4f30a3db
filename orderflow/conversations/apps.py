from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "orderflow.conversations"
    label = "conversations"
