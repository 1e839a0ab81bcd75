from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "storedesk.core"
    label = "core"
    verbose_name = "Storedesk core"
