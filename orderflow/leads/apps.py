from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "orderflow.leads"
    label = "leads"
    verbose_name = "Participants and leads"
