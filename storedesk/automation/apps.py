from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "storedesk.automation"
    label = "automation"
