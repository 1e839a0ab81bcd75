from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "storedesk.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge articles"
