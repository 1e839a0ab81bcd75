"""What a policy does when one of its targets is breached: raise the priority, reassign (to an
agent or back to a team's queue), notify the store's leads. Each step goes through the
conversation actions (their own audit rows and events); one `sla.escalated` audit row says
why and what was done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from storedesk.automation import sla as clock
from storedesk.conversations.models import Conversation
from storedesk.core import audit
from storedesk.core.errors import ActionError
from storedesk.core.models import Membership, Role

KIND_LABELS = {"first_response": "first response", "next_response": "next response", "resolution": "resolution"}


def escalate(conversation: Conversation, policy: clock.Policy, kind: str, due_at: datetime) -> dict[str, Any]:
    from storedesk.conversations.actions import do_assign, do_set_priority

    reason = f"SLA {KIND_LABELS.get(kind, kind)} target missed (due {due_at:%Y-%m-%d %H:%M} UTC, {policy.name})"
    done: dict[str, Any] = {}
    priority = getattr(policy, "escalate_priority", None)
    if priority is not None and conversation.priority < priority:
        done["priority"] = [conversation.priority, priority]
        do_set_priority(None, conversation, priority)
    agent = getattr(policy, "escalate_agent", None)
    team = getattr(policy, "escalate_team", None)
    if agent is not None or team is not None:
        target_agent = agent if agent is not None else None
        try:
            changes = do_assign(
                None, conversation, assignee=target_agent, team=team if team is not None else ..., reason=reason
            )
        except ActionError as error:
            done["reassign_failed"] = error.message
        else:
            if "assignee_id" in changes:
                done["assignee_id"] = changes["assignee_id"]
            if "team_id" in changes:
                done["team_id"] = changes["team_id"]
    if getattr(policy, "notify_leads", False):
        leads = list(
            Membership.objects.filter(
                store_id=conversation.store_id, role__in=[Role.LEAD, Role.ADMIN], user__is_active=True
            )
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        if leads:
            done["notified"] = leads
            _email_on_commit(conversation.pk, kind, due_at, leads)
    if done:
        audit.record(
            store_id=conversation.store_id,
            actor=None,
            verb="sla.escalated",
            obj=conversation,
            after=done,
            reason=reason,
        )
    return done


def _email_on_commit(conversation_id: int, kind: str, due_at: datetime, user_ids: list[int]) -> None:
    def enqueue() -> None:
        from storedesk.automation.tasks import email_breach_to_leads

        email_breach_to_leads(conversation_id, kind, due_at.isoformat(), user_ids)

    transaction.on_commit(enqueue)
