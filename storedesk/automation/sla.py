"""The SLA clock arithmetic: which policy applies, and the due times of a conversation's clocks.

No writes here: `automation.actions.sla` loads the rows, calls `refresh`, saves, audits and
publishes. A due time is recomputed from scratch each time from what happened (the clock's
start, the pauses so far, the achievement) and the policy's targets, so editing a policy or the
opening hours, or a conversation changing policy, gives exact answers without replaying history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from storedesk.automation.models import (
    DEFAULT_PAUSE_STATUSES,
    BusinessHours,
    ConversationSla,
    CustomerTier,
    DefaultPolicy,
    SlaKind,
    SlaPolicy,
    TimeBasis,
)
from storedesk.conversations.models import Channel, Conversation, Status
from storedesk.core.lib.business_hours import Schedule

Pause = tuple[datetime, datetime | None]  # [start, end); end None: still paused


# A stored policy or the built-in email default (NoPolicy: none applies).
Policy = SlaPolicy | DefaultPolicy


class NoPolicy(DefaultPolicy):
    """No policy applies (any more): the row keeps its history, no clock runs."""

    name = ""
    channels: list[str] = []
    first_response_s = None


def policy_of(sla: ConversationSla) -> SlaPolicy | DefaultPolicy:
    """The policy a row runs on: its stored policy, the built-in email default, or none."""
    if sla.policy is not None:
        return sla.policy
    return DefaultPolicy() if sla.policy_name == DefaultPolicy.name else NoPolicy()


def matches(policy: SlaPolicy, conversation: Conversation, tag_names: Iterable[str]) -> bool:
    if policy.channels and conversation.channel not in policy.channels:
        return False
    if policy.priorities and conversation.priority not in policy.priorities:
        return False
    if policy.customer_tier == CustomerTier.VIP and not conversation.customer.vip:
        return False
    if policy.customer_tier == CustomerTier.STANDARD and conversation.customer.vip:
        return False
    return not policy.tags or bool(set(policy.tags) & set(tag_names))


def match_policy(
    conversation: Conversation, policies: Sequence[SlaPolicy], tag_names: Iterable[str]
) -> SlaPolicy | DefaultPolicy | None:
    """The first active policy (in position order) that matches; else the email default."""
    names = set(tag_names)
    for policy in policies:
        if policy.is_active and matches(policy, conversation, names):
            return policy
    if conversation.channel == Channel.EMAIL:
        return DefaultPolicy()
    return None


def schedule_for(
    policy: Policy, conversation: Conversation, store_hours: dict[int | None, BusinessHours], store_tz: str
) -> Schedule:
    """Calendar time, or the policy's hours, else the team's, else the store's default hours.
    A business-time policy in a store without any hours counts calendar time."""
    if policy.time_basis == TimeBasis.CALENDAR:
        return Schedule.always_open(store_tz)
    hours = getattr(policy, "business_hours", None) or store_hours.get(conversation.team_id) or store_hours.get(None)
    if hours is None:
        return Schedule.always_open(store_tz)
    return hours.schedule(store_tz)


def pause_statuses(policy: Policy) -> set[str]:
    statuses = set(policy.pause_statuses if policy.pause_statuses else DEFAULT_PAUSE_STATUSES)
    return statuses | {Status.RESOLVED.value}


def due_with_pauses(schedule: Schedule, start: datetime, target: timedelta, pauses: Sequence[Pause]) -> datetime | None:
    """When `target` of counted time has passed since `start`, not counting closed hours nor
    pauses. None while an open pause holds the clock before it is due."""
    at, remaining = start, target
    for pause_start, pause_end in sorted(pauses, key=lambda p: p[0]):
        if pause_end is not None and pause_end <= at:
            continue
        pause_start = max(pause_start, at)
        available = schedule.business_time_between(at, pause_start)
        if available >= remaining:
            return schedule.add_business_time(at, remaining)
        remaining -= available
        if pause_end is None:
            return None
        at = pause_end
    return schedule.add_business_time(at, remaining)


def _pauses(sla: ConversationSla) -> list[Pause]:
    closed: list[Pause] = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in sla.pauses]
    if sla.paused_at is not None:
        closed.append((sla.paused_at, None))
    return closed


def _closed_at(pauses: list[Pause], end: datetime) -> list[Pause]:
    """The pauses as they stood when a clock stopped at `end` (an open pause ends there)."""
    return [(a, b if b is not None else max(a, end)) for a, b in pauses if a < end]


class Clocks:
    """Due and warning times of one row under one policy and schedule."""

    def __init__(self, sla: ConversationSla, policy: Policy, schedule: Schedule) -> None:
        self.sla, self.policy, self.schedule = sla, policy, schedule
        self.pauses = _pauses(sla)

    def _at(self, start: datetime, seconds: float | None, stopped: datetime | None) -> datetime | None:
        if seconds is None:
            return None
        pauses = self.pauses if stopped is None else _closed_at(self.pauses, stopped)
        return due_with_pauses(self.schedule, start, timedelta(seconds=seconds), pauses)

    def _warn_seconds(self, target: int | None) -> float | None:
        pct = self.policy.warn_before_pct
        if target is None or not pct or pct >= 100:
            return None
        return target * (100 - pct) / 100

    def first_response(self) -> tuple[datetime | None, datetime | None]:
        sla, target = self.sla, self.policy.first_response_s
        if sla.first_response_at is not None and sla.first_response_at < sla.started_at:
            return None, None  # the agent wrote first (an outbound conversation): nothing to answer
        return (
            self._at(sla.started_at, target, sla.first_response_at),
            self._at(sla.started_at, self._warn_seconds(target), sla.first_response_at),
        )

    def next_response(self) -> tuple[datetime | None, datetime | None]:
        sla, target = self.sla, self.policy.next_response_s
        if sla.next_response_started_at is None:
            return None, None
        return (
            self._at(sla.next_response_started_at, target, None),
            self._at(sla.next_response_started_at, self._warn_seconds(target), None),
        )

    def next_response_due_if_answered_at(self, at: datetime) -> datetime | None:
        sla = self.sla
        if sla.next_response_started_at is None:
            return None
        return self._at(sla.next_response_started_at, self.policy.next_response_s, at)

    def resolution(self) -> tuple[datetime | None, datetime | None]:
        sla, target = self.sla, self.policy.resolution_s
        return (
            self._at(sla.started_at, target, sla.resolved_at),
            self._at(sla.started_at, self._warn_seconds(target), sla.resolved_at),
        )


def refresh(sla: ConversationSla, policy: Policy, schedule: Schedule) -> None:
    """Recompute the derived fields of `sla` in place: due times, late achievements' breach
    flags, the inbox sort key and the next check time. Pending breaches are the periodic
    check's to flag (it alerts as it does)."""
    clocks = Clocks(sla, policy, schedule)
    sla.policy_name = policy.name
    sla.first_response_due_at, fr_warn = clocks.first_response()
    sla.next_response_due_at, nr_warn = clocks.next_response()
    sla.resolution_due_at, res_warn = clocks.resolution()
    if sla.first_response_at and sla.first_response_due_at and sla.first_response_at > sla.first_response_due_at:
        sla.first_response_breached = True
    if sla.resolved_at and sla.resolution_due_at and sla.resolved_at > sla.resolution_due_at:
        sla.resolution_breached = True

    pending = [
        (SlaKind.FIRST_RESPONSE, sla.first_response_at is None, sla.first_response_due_at, fr_warn),
        (SlaKind.NEXT_RESPONSE, sla.next_response_started_at is not None, sla.next_response_due_at, nr_warn),
        (SlaKind.RESOLUTION, sla.resolved_at is None, sla.resolution_due_at, res_warn),
    ]
    dues = [(due, kind.value) for kind, waiting, due, _ in pending if waiting and due is not None]
    sla.due_at, sla.due_kind = min(dues) if dues else (None, "")
    checks = []
    for kind, waiting, due, warn in pending:
        if not waiting or due is None or breached(sla, kind):
            continue
        checks.append(due)
        if warn is not None and not warned(sla, kind):
            checks.append(warn)
    sla.next_check_at = min(checks) if checks else None


def breached(sla: ConversationSla, kind: str) -> bool:
    return bool(getattr(sla, f"{kind}_breached"))


def warned(sla: ConversationSla, kind: str) -> bool:
    return bool(getattr(sla, f"{kind}_warned"))


def warn_and_breach_due(
    sla: ConversationSla, policy: Policy, schedule: Schedule, now: datetime
) -> tuple[list[str], list[str]]:
    """Kinds whose warning time, and whose due time, have passed without being flagged yet."""
    clocks = Clocks(sla, policy, schedule)
    rows = [
        (SlaKind.FIRST_RESPONSE.value, sla.first_response_at is None, clocks.first_response()),
        (SlaKind.NEXT_RESPONSE.value, sla.next_response_started_at is not None, clocks.next_response()),
        (SlaKind.RESOLUTION.value, sla.resolved_at is None, clocks.resolution()),
    ]
    warn, breach = [], []
    for kind, waiting, (due, warn_at) in rows:
        if not waiting or due is None or breached(sla, kind):
            continue
        if due <= now:
            breach.append(kind)
        elif warn_at is not None and warn_at <= now and not warned(sla, kind):
            warn.append(kind)
    return warn, breach
