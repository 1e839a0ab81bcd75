"""Writers of agent profiles: status (online / away / offline), capacity and skills, activity.

An agent who stops being online hands their waiting work back to routing: each conversation
assigned to them where the customer waits on a reply goes to another agent, or back to the
queue — with the reason in the audit log.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from storedesk.automation.actions.routing import do_route
from storedesk.automation.models import AgentProfile, AgentStatus
from storedesk.conversations.models import Channel, Conversation, Status
from storedesk.core import audit
from storedesk.core.access import check_permission, roles_for
from storedesk.core.errors import ActionError
from storedesk.core.models import Store, User

IDLE_AFTER = timedelta(minutes=10)
REASSIGN_LIMIT = 200  # per status change; the rest stays with the agent for a lead to move


def _profile(store: Store, user: User) -> AgentProfile:
    if store.pk not in roles_for(user) or not user.is_active:
        raise ActionError(f"{user.email} is not an active agent of this store.", code="invalid_agent")
    profile, _ = AgentProfile.objects.select_for_update().get_or_create(store=store, user=user)
    return profile


def _check_actor(actor: User | None, store: Store, user: User) -> None:
    if actor is None:
        return
    check_permission(actor, store.pk, "conversation.view")
    if actor.pk != user.pk:
        check_permission(actor, store.pk, "team.manage")


def waiting_work(store_id: int, user_id: int) -> list[int]:
    """Open conversations of the agent where the customer waits on a reply (oldest first)."""
    return list(
        Conversation.objects.filter(store_id=store_id, assignee_id=user_id, status=Status.OPEN)
        .filter(Q(last_agent_message_at__isnull=True) | Q(last_customer_message_at__gt=F("last_agent_message_at")))
        .order_by("last_customer_message_at", "id")
        .values_list("pk", flat=True)[:REASSIGN_LIMIT]
    )


def _change_status(actor: User | None, profile: AgentProfile, status: str, *, auto: bool, reason: str) -> bool:
    if profile.status == status and profile.auto_away == auto:
        return False
    before = {"status": profile.status}
    profile.status = status
    profile.auto_away = auto
    profile.status_changed_at = timezone.now()
    profile.save(update_fields=["status", "auto_away", "status_changed_at"])
    audit.record(
        store_id=profile.store_id,
        actor=actor,
        verb="agent.status_changed",
        obj=profile,
        before=before,
        after={"status": status, "user_id": profile.user_id},
        reason=reason,
    )
    return True


def _hand_back(profile: AgentProfile, user: User, status: str) -> int:
    because = f"{user.name} is {status}"
    moved = 0
    for conversation in Conversation.objects.filter(pk__in=waiting_work(profile.store_id, profile.user_id)):
        do_route(conversation, exclude=[profile.user_id], because=because)
        moved += 1
    return moved


def do_set_agent_status(actor: User | None, store: Store, user: User, status: str, reason: str = "") -> int:
    """Set an agent's status (their own; an admin may set anyone's). Leaving `online` hands
    their waiting work back to routing. Returns how many conversations were moved."""
    if status not in AgentStatus.values:
        raise ActionError(f"Unknown status {status!r}; use one of {', '.join(AgentStatus.values)}.", code="invalid")
    _check_actor(actor, store, user)
    with transaction.atomic():
        profile = _profile(store, user)
        was_online = profile.status == AgentStatus.ONLINE
        if status == AgentStatus.ONLINE:
            profile.last_seen_at = timezone.now()
            profile.save(update_fields=["last_seen_at"])
        if not _change_status(actor, profile, status, auto=False, reason=reason):
            return 0
        return _hand_back(profile, user, status) if was_online and status != AgentStatus.ONLINE else 0


def do_touch_agent(store: Store, user: User) -> None:
    """Activity (a request, a heartbeat): keeps the agent from idling away, and brings back
    an agent the idle check had set away."""
    with transaction.atomic():
        profile = AgentProfile.objects.select_for_update().filter(store=store, user=user).first()
        if profile is None:
            return
        profile.last_seen_at = timezone.now()
        profile.save(update_fields=["last_seen_at"])
        if profile.auto_away and profile.status == AgentStatus.AWAY:
            _change_status(None, profile, AgentStatus.ONLINE, auto=False, reason="active again")


def do_auto_away(now: datetime | None = None, idle: timedelta = IDLE_AFTER) -> int:
    """Online agents not seen for `idle` become away (their waiting work is routed again)."""
    now = now or timezone.now()
    idle_ids = list(
        AgentProfile.objects.filter(status=AgentStatus.ONLINE, last_seen_at__lt=now - idle).values_list("pk", flat=True)
    )
    changed = 0
    for pk in idle_ids:
        with transaction.atomic():
            profile = AgentProfile.objects.select_for_update().select_related("user").get(pk=pk)
            if (
                profile.status != AgentStatus.ONLINE
                or profile.last_seen_at is None
                or profile.last_seen_at >= now - idle
            ):
                continue
            _change_status(
                None, profile, AgentStatus.AWAY, auto=True, reason=f"idle for {int(idle.total_seconds() // 60)} min"
            )
            _hand_back(profile, profile.user, AgentStatus.AWAY)
            changed += 1
    return changed


def do_save_agent_profile(
    actor: User | None,
    store: Store,
    user: User,
    *,
    capacity: dict[str, int] | None = None,
    skills: list[str] | None = None,
) -> AgentProfile:
    """An admin sets an agent's per-channel capacity and skills."""
    if actor is not None:
        check_permission(actor, store.pk, "team.manage")
    if capacity is not None and (
        not set(capacity) <= set(Channel.values) or any(not isinstance(v, int) or v < 0 for v in capacity.values())
    ):
        raise ActionError("Capacity is {channel: a whole number ≥ 0} for known channels.", code="invalid_capacity")
    with transaction.atomic():
        profile = _profile(store, user)
        before: dict[str, Any] = {"capacity": profile.capacity, "skills": profile.skills}
        if capacity is not None:
            profile.capacity = capacity
        if skills is not None:
            profile.skills = sorted({skill.strip().lower() for skill in skills if skill.strip()})
        profile.save(update_fields=["capacity", "skills"])
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="agent.profile_saved",
            obj=profile,
            before=before,
            after={"capacity": profile.capacity, "skills": profile.skills, "user_id": user.pk},
        )
    return profile
