from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "storedesk.automation"
    label = "automation"

    def ready(self) -> None:
        from storedesk.automation.queries import SLA_SORT, with_sla
        from storedesk.conversations.queries import register_row_annotation, register_sort

        register_sort(SLA_SORT)  # the inbox's "SLA due" sort
        register_row_annotation(with_sla)  # due time and breach state on every inbox row
