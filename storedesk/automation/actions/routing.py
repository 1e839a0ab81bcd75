"""Routing a conversation to an agent (or a team's queue), with the reason in the audit log.

Runs for a customer's new conversation when the store turns routing on
(`store.settings["routing"]["enabled"]`), and for waiting work when its agent goes away.
Assignments go through `do_assign`, whose audit row carries the decision's reason; a decision
that changes nothing is audited as `routing.unassigned`. Manual assignment is always possible.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from storedesk.automation import routing
from storedesk.automation.models import AgentProfile, CustomerTier, RoutingRule
from storedesk.conversations.models import Conversation, Status
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import Membership, Store, Team, User

OPEN_WORK = [Status.OPEN.value, Status.PENDING.value]


def routing_enabled(conversation: Conversation) -> bool:
    return bool((conversation.store.settings.get("routing") or {}).get("enabled"))


def _matches(rule: RoutingRule, conversation: Conversation, tag_names: set[str]) -> bool:
    customer = conversation.customer
    if rule.channels and conversation.channel not in rule.channels:
        return False
    if rule.tags and not set(rule.tags) & tag_names:
        return False
    if rule.customer_tier == CustomerTier.VIP and not customer.vip:
        return False
    if rule.customer_tier == CustomerTier.STANDARD and customer.vip:
        return False
    return not rule.languages or customer.language in rule.languages


def rule_for(conversation: Conversation) -> RoutingRule | None:
    rules = list(RoutingRule.objects.filter(store_id=conversation.store_id, is_active=True).order_by("position", "id"))
    if not rules:
        return None
    tag_names = set(conversation.tags.values_list("name", flat=True))
    return next((rule for rule in rules if _matches(rule, conversation, tag_names)), None)


def candidates(store_id: int, channel: str) -> list[routing.Candidate]:
    """Every agent of the store with a profile: three queries whatever their number."""
    profiles = list(
        AgentProfile.objects.filter(
            store_id=store_id,
            user__is_active=True,
            user__in=Membership.objects.filter(store_id=store_id).values("user_id"),
        ).select_related("user")
    )
    ids = [profile.user_id for profile in profiles]
    teams: dict[int, set[int]] = {}
    for user_id, team_id in Team.members.through.objects.filter(team__store_id=store_id, user_id__in=ids).values_list(
        "user_id", "team_id"
    ):
        teams.setdefault(user_id, set()).add(team_id)
    open_counts = dict(
        Conversation.objects.filter(store_id=store_id, channel=channel, status__in=OPEN_WORK, assignee_id__in=ids)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    return [
        routing.Candidate(
            user_id=profile.user_id,
            name=profile.user.name,
            status=profile.status,
            open_count=open_counts.get(profile.user_id, 0),
            capacity=profile.capacity_for(channel),
            skills=frozenset(profile.skills),
            team_ids=frozenset(teams.get(profile.user_id, ())),
            last_assigned_at=profile.last_assigned_at,
        )
        for profile in profiles
    ]


def sticky_agent(conversation: Conversation) -> int | None:
    """The agent of the customer's latest other conversation an agent answered."""
    return (
        Conversation.objects.filter(customer_id=conversation.customer_id, assignee__isnull=False)
        .exclude(pk=conversation.pk)
        .exclude(last_agent_message_at__isnull=True)
        .order_by("-last_agent_message_at")
        .values_list("assignee_id", flat=True)
        .first()
    )


def do_route(conversation: Conversation, *, exclude: Iterable[int] = (), because: str = "") -> routing.Decision:
    """Choose an agent for the conversation and assign it (system actor)."""
    from storedesk.conversations.actions import do_assign

    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update().select_related("customer", "store").get(pk=conversation.pk)
        )
        rule = rule_for(conversation)
        team = rule.team if rule is not None and rule.team_id is not None else None
        customer = conversation.customer
        preferred = {customer.language} if customer.language else set()
        if customer.vip:
            preferred.add("vip")
        request = routing.Request(
            team_id=team.pk if team is not None else conversation.team_id,
            required_skills=frozenset(rule.required_skills if rule is not None else ()),
            preferred_skills=frozenset(preferred),
            sticky_user_id=sticky_agent(conversation),
            exclude_user_ids=frozenset(exclude),
            rule_name=rule.name if rule is not None else "",
        )
        decision = routing.choose(request, candidates(conversation.store_id, conversation.channel))
        reason = f"{because}; {decision.reason}" if because else decision.reason
        if decision.user_id is not None:
            assignee = User.objects.get(pk=decision.user_id)
            do_assign(None, conversation, assignee=assignee, team=team if team is not None else ..., reason=reason)
            AgentProfile.objects.filter(store_id=conversation.store_id, user_id=decision.user_id).update(
                last_assigned_at=timezone.now()
            )
            return decision
        leaving = conversation.assignee_id is not None and conversation.assignee_id in set(exclude)
        team_changes = team is not None and conversation.team_id != team.pk
        if leaving or team_changes:
            do_assign(None, conversation, assignee=None, team=team if team is not None else ..., reason=reason)
        else:
            audit.record(
                store_id=conversation.store_id,
                actor=None,
                verb="routing.unassigned",
                obj=conversation,
                after={"team_id": conversation.team_id},
                reason=reason,
            )
        return decision


def do_set_routing(actor: User | None, store: Store, *, enabled: bool) -> None:
    """Turn automatic routing of new conversations on or off for a store (admins)."""
    if actor is not None:
        check_permission(actor, store.pk, "store.manage")
    with transaction.atomic():
        locked = Store.objects.select_for_update().get(pk=store.pk)
        before = dict(locked.settings.get("routing") or {})
        locked.settings = {**locked.settings, "routing": {**before, "enabled": bool(enabled)}}
        locked.save(update_fields=["settings"])
        store.settings = locked.settings
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="routing.settings_saved",
            obj=locked,
            before=before,
            after=locked.settings["routing"],
        )


def do_save_routing_rule(actor: User | None, store: Store, *, name: str, **values: object) -> RoutingRule:
    """Add a routing rule (admins): conditions (channels, tags, customer_tier, languages), the
    team it sends to and the skills it asks for, tried by `position`."""
    if actor is not None:
        check_permission(actor, store.pk, "store.manage")
    unknown = set(values) - {
        "position",
        "is_active",
        "channels",
        "tags",
        "customer_tier",
        "languages",
        "team",
        "required_skills",
    }
    if unknown or not name.strip():
        raise ActionError("A routing rule needs a name and known fields only.", code="invalid_rule")
    team = values.get("team")
    if team is not None and (not isinstance(team, Team) or team.store_id != store.pk):
        raise NotFound("Team not found.")
    with transaction.atomic():
        rule = RoutingRule(store=store, name=name.strip(), **values)  # type: ignore[misc]
        rule.save()
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="routing.rule_saved",
            obj=rule,
            after={"name": rule.name, "team_id": rule.team_id, "required_skills": rule.required_skills},
        )
    return rule
