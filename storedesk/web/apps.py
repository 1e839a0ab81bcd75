from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "storedesk.web"
    label = "web"
