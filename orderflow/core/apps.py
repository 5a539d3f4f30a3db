from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared ground every app stands on; an app only for its management command `run_tasks`."""

    name = "orderflow.core"
    label = "orderflow_core"
    verbose_name = "Core"
