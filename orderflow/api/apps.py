from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "orderflow.api"
    label = "api"

    def ready(self) -> None:
        from anymail.signals import inbound

        from orderflow.api.inbound_email import on_inbound

        inbound.connect(on_inbound, dispatch_uid="orderflow.inbound_email")
