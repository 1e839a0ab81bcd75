"""The only writers of business hours, SLA policies, conversation SLA rows, wait promises,
agent profiles and routing decisions."""

from storedesk.automation.actions.agents import (
    do_auto_away,
    do_save_agent_profile,
    do_set_agent_status,
    do_touch_agent,
)
from storedesk.automation.actions.hours import do_delete_business_hours, do_save_business_hours
from storedesk.automation.actions.policies import do_delete_policy, do_save_policy
from storedesk.automation.actions.routing import do_route
from storedesk.automation.actions.sla import do_apply_sla, do_check_sla, do_recompute_store

__all__ = [
    "do_apply_sla",
    "do_auto_away",
    "do_check_sla",
    "do_delete_business_hours",
    "do_delete_policy",
    "do_recompute_store",
    "do_route",
    "do_save_agent_profile",
    "do_save_business_hours",
    "do_save_policy",
    "do_set_agent_status",
    "do_touch_agent",
]
