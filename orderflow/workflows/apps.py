from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "orderflow.workflows"
    label = "workflows"
