from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "orderflow.catalog"
    label = "catalog"
    verbose_name = "Catalogue"
