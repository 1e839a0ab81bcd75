"""Writers of SLA policies. Running clocks of the store are recomputed after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from storedesk.automation.actions.hours import _recompute_on_commit
from storedesk.automation.models import BusinessHours, CustomerTier, SlaPolicy, TimeBasis
from storedesk.conversations.models import Channel, Priority, Status
from storedesk.core import audit
from storedesk.core.access import check_permission, roles_for
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import Store, Team, User

FIELDS = {
    "name",
    "position",
    "is_active",
    "channels",
    "priorities",
    "customer_tier",
    "tags",
    "first_response_s",
    "next_response_s",
    "resolution_s",
    "time_basis",
    "business_hours",
    "pause_statuses",
    "warn_before_pct",
    "escalate_priority",
    "escalate_team",
    "escalate_agent",
    "notify_leads",
}
FOREIGN_KEYS = {"business_hours", "escalate_team", "escalate_agent"}
PAUSABLE = {Status.PENDING.value, Status.SNOOZED.value}


def _invalid(message: str) -> ActionError:
    return ActionError(message, code="invalid_policy")


def _validate(store: Store, values: dict[str, Any]) -> None:
    unknown = set(values) - FIELDS
    if unknown:
        raise _invalid(f"Unknown policy field(s): {', '.join(sorted(unknown))}.")
    if "name" in values and not str(values["name"]).strip():
        raise _invalid("A policy needs a name.")
    if not set(values.get("channels", [])) <= set(Channel.values):
        raise _invalid(f"Channels must be among {', '.join(Channel.values)}.")
    if not set(values.get("priorities", [])) <= set(Priority.values):
        raise _invalid("Priorities are 0–3.")
    if values.get("customer_tier", CustomerTier.ANY) not in CustomerTier.values:
        raise _invalid(f"Customer tier must be one of {', '.join(CustomerTier.values)}.")
    if values.get("time_basis", TimeBasis.BUSINESS) not in TimeBasis.values:
        raise _invalid(f"Time basis must be one of {', '.join(TimeBasis.values)}.")
    if not set(values.get("pause_statuses", [])) <= PAUSABLE:
        raise _invalid("Only pending and snoozed can pause the clocks (resolved always does).")
    for field in ("first_response_s", "next_response_s", "resolution_s"):
        target = values.get(field)
        if target is not None and (not isinstance(target, int) or target <= 0):
            raise _invalid(f"{field} must be a positive number of seconds (or empty for no target).")
    pct = values.get("warn_before_pct", 20)
    if not isinstance(pct, int) or not 0 <= pct < 100:
        raise _invalid("warn_before_pct must be 0–99 (0: no warning).")
    if values.get("escalate_priority") not in (None, *Priority.values):
        raise _invalid("escalate_priority is 0–3.")
    hours = values.get("business_hours")
    if isinstance(hours, BusinessHours) and hours.store_id != store.pk:
        raise NotFound("Business hours not found.")
    team = values.get("escalate_team")
    if isinstance(team, Team) and team.store_id != store.pk:
        raise NotFound("Team not found.")
    agent = values.get("escalate_agent")
    if isinstance(agent, User) and (not agent.is_active or store.pk not in roles_for(agent)):
        raise _invalid(f"{agent.email} is not an active agent of this store.")


def _snapshot(policy: SlaPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in sorted(FIELDS):
        out[field] = getattr(policy, f"{field}_id" if field in FOREIGN_KEYS else field)
    return out


def do_save_policy(actor: User | None, store: Store, policy: SlaPolicy | None = None, **values: Any) -> SlaPolicy:
    """Create a policy (policy=None) or change the given fields of one."""
    if actor is not None:
        check_permission(actor, store.pk, "store.manage")
    if policy is not None and policy.store_id != store.pk:
        raise NotFound("Policy not found.")
    if policy is None and "name" not in values:
        raise _invalid("A policy needs a name.")
    _validate(store, values)
    with transaction.atomic():
        before = _snapshot(policy) if policy is not None else {}
        if policy is None:
            policy = SlaPolicy(store=store)
        for field, value in values.items():
            setattr(policy, field, value)
        policy.updated_at = timezone.now()
        policy.save()
        after = _snapshot(policy)
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="sla_policy.saved",
            obj=policy,
            before={k: v for k, v in before.items() if after.get(k) != v},
            after={k: v for k, v in after.items() if before.get(k) != v} if before else after,
        )
        _recompute_on_commit(store.pk)
    return policy


def do_delete_policy(actor: User | None, policy: SlaPolicy) -> None:
    """Delete a policy; conversations it governed are matched again (after commit)."""
    if actor is not None:
        check_permission(actor, policy.store_id, "store.manage")
    with transaction.atomic():
        audit.record(
            store_id=policy.store_id, actor=actor, verb="sla_policy.deleted", obj=policy, before=_snapshot(policy)
        )
        store_id = policy.store_id
        policy.delete()  # its rows keep due times until the recompute matches them again
        _recompute_on_commit(store_id)
