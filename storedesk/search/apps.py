from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "storedesk.search"
    label = "search"
