"""SLA achievement reports, computed by the database (GROUP BY and filtered COUNT/SUM), never
by looping over conversations in Python.

"Within target" counts achievements at or before their due time; "missed" counts breaches
(answered late, resolved late, or still waiting past the due time once the periodic check has
flagged it). Clocks still running and not yet due are in neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, DateTimeField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce

from storedesk.automation.models import ConversationSla, WaitPromise
from storedesk.conversations.models import Channel

GROUPS = {
    "channel": "conversation__channel",
    "team": "conversation__team_id",
    "agent": "conversation__assignee_id",  # the agent the conversation is assigned to now
    "policy": "policy_name",
}


def _pct(met: int, missed: int) -> float | None:
    return round(100 * met / (met + missed), 1) if met + missed else None


@dataclass(frozen=True)
class Achievement:
    key: Any  # the channel, team id, agent id or policy name (None: no team / unassigned)
    conversations: int
    first_response_met: int
    first_response_missed: int
    next_response_met: int
    next_response_missed: int
    resolution_met: int
    resolution_missed: int

    @property
    def first_response_pct(self) -> float | None:
        return _pct(self.first_response_met, self.first_response_missed)

    @property
    def next_response_pct(self) -> float | None:
        return _pct(self.next_response_met, self.next_response_missed)

    @property
    def resolution_pct(self) -> float | None:
        return _pct(self.resolution_met, self.resolution_missed)


def achievement(store_ids: Sequence[int], since: datetime, until: datetime, by: str = "channel") -> list[Achievement]:
    """% within target per channel, team, agent or policy, for clocks started in [since, until).
    One query. `store_ids` must already be scoped to the caller (core.access.store_ids_for)."""
    if by not in GROUPS:
        raise ValueError(f"Group by one of {', '.join(GROUPS)}.")
    rows = (
        ConversationSla.objects.filter(store_id__in=store_ids, started_at__gte=since, started_at__lt=until)
        .values(key=F(GROUPS[by]))
        .annotate(
            conversations=Count("id"),
            first_response_met=Count(
                "id",
                filter=Q(first_response_at__lte=F("first_response_due_at"), first_response_breached=False),
            ),
            first_response_missed=Count("id", filter=Q(first_response_breached=True)),
            next_response_met=Coalesce(Sum("next_response_met"), 0),
            next_response_missed=Coalesce(Sum("next_response_missed"), 0),
            resolution_met=Count("id", filter=Q(resolved_at__lte=F("resolution_due_at"), resolution_breached=False)),
            resolution_missed=Count("id", filter=Q(resolution_breached=True)),
        )
        .order_by("key")
    )
    return [Achievement(**row) for row in rows]


@dataclass(frozen=True)
class AnsweredWithin:
    answered_within: int
    total: int  # answered, or waiting longer than the window already

    @property
    def share(self) -> float | None:
        return round(self.answered_within / self.total, 4) if self.total else None


def emails_answered_within(
    store_ids: Sequence[int], since: datetime, until: datetime, now: datetime, window: timedelta = timedelta(hours=24)
) -> AnsweredWithin:
    """The share of emails (customer-started, first message in [since, until)) whose first
    agent reply came within `window` of calendar time, whatever the policy. Emails still
    inside their window and unanswered are left out: they may yet make it. One query."""
    deadline = ExpressionWrapper(F("started_at") + window, output_field=DateTimeField())
    result = (
        ConversationSla.objects.filter(
            store_id__in=store_ids, started_at__gte=since, started_at__lt=until, conversation__channel=Channel.EMAIL
        )
        .exclude(first_response_at__lt=F("started_at"))  # the agent wrote first: nothing to answer
        .aggregate(
            answered_within=Count("id", filter=Q(first_response_at__lte=deadline)),
            total=Count("id", filter=Q(first_response_at__isnull=False) | Q(started_at__lte=now - window)),
        )
    )
    return AnsweredWithin(**result)


@dataclass(frozen=True)
class PromiseKept:
    channel: str
    promised: int  # conversations that were shown an estimate
    answered: int
    kept: int  # answered within the promised wait
    avg_promised_s: float | None
    avg_actual_s: float | None  # over the answered ones

    @property
    def kept_pct(self) -> float | None:
        return round(100 * self.kept / self.answered, 1) if self.answered else None


def promised_vs_actual(store_ids: Sequence[int], since: datetime, until: datetime) -> list[PromiseKept]:
    """Per channel: what customers were told to expect when they wrote in [since, until), and
    how long the first reply took. One query."""
    rows = (
        WaitPromise.objects.filter(store_id__in=store_ids, promised_at__gte=since, promised_at__lt=until)
        .values("channel")
        .annotate(
            promised=Count("id"),
            answered=Count("id", filter=Q(actual_wait_s__isnull=False)),
            kept=Count("id", filter=Q(actual_wait_s__lte=F("promised_wait_s"))),
            avg_promised_s=Avg("promised_wait_s"),
            avg_actual_s=Avg("actual_wait_s"),
        )
        .order_by("channel")
    )
    return [PromiseKept(**row) for row in rows]
