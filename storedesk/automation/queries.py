"""Read-side helpers for SLA state on conversation lists (the inbox wires these).

- `with_sla(qs)` adds the due time, kind, pause and breach state to each row (one LEFT JOIN).
- `order_by_sla_due(qs, store_id)` keeps one store's conversations with a running clock,
  soonest due (most overdue) first, walking `sla_due_idx` (store_id, due_at, conversation_id)
  WHERE due_at IS NOT NULL, and stops after one page.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import F, Q, QuerySet

from storedesk.conversations.models import Conversation

C = TypeVar("C", bound=QuerySet[Conversation])


def with_sla(queryset: C) -> C:
    return queryset.annotate(  # type: ignore[return-value]
        sla_due_at=F("sla__due_at"),
        sla_due_kind=F("sla__due_kind"),
        sla_paused_at=F("sla__paused_at"),
        sla_policy=F("sla__policy_name"),
        sla_breached=Q(sla__first_response_breached=True)
        | Q(sla__next_response_breached=True)
        | Q(sla__resolution_breached=True),
    )


def order_by_sla_due(queryset: C, store_id: int) -> C:
    """One store's rows with a running SLA clock, by due time then id. The store filter is on
    the SLA row itself (the planner cannot carry conversation.store_id over the join), which
    is what lets `sla_due_idx` deliver the order. For several stores, merge per-store pages.
    Keyset: continue after the last row with `sla__due_at__gt` / equal due and
    `sla__conversation_id__gt`."""
    return queryset.filter(sla__store_id=store_id, sla__due_at__isnull=False).order_by(  # type: ignore[return-value]
        "sla__due_at", "sla__conversation_id"
    )
