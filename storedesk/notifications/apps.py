from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "storedesk.notifications"
    label = "notifications"
