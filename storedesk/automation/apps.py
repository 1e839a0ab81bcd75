from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "storedesk.automation"
    label = "automation"

    def ready(self) -> None:
        from django.core import checks

        from storedesk.automation.intent.checks import check_intent_engine
        from storedesk.automation.queries import SLA_SORT, with_sla
        from storedesk.conversations.queries import register_row_annotation, register_sort

        register_sort(SLA_SORT)  # the inbox's "SLA due" sort
        register_row_annotation(with_sla)  # due time and breach state on every inbox row
        checks.register(check_intent_engine)
