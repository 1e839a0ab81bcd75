"""Read-side helpers for SLA state on conversation lists (the inbox wires these).

- `with_sla(qs)` adds the due time, kind, pause and breach state to each row (one LEFT JOIN).
- `order_by_sla_due(qs, store_id)` keeps one store's conversations with a running clock,
  soonest due (most overdue) first, walking `sla_due_idx` (store_id, due_at, conversation_id)
  WHERE due_at IS NOT NULL, and stops after one page.
- `SLA_SORT` is that order as an inbox sort ("SLA due"), registered with `with_sla` as a row
  annotation by `AutomationConfig.ready()`: every inbox row carries its due time and breach
  state, and `?sort=sla` lists the conversations with a running clock, most overdue first
  (paused, met and SLA-less conversations are not in it: they are due nothing).
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import F, Q, QuerySet

from storedesk.automation.models import CallbackStatus, CallbackTask
from storedesk.conversations.models import Conversation
from storedesk.conversations.queries import Sort, SortKey

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


def _running_clock(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return queryset.filter(sla__due_at__isnull=False)


# Index: sla_due_idx (store_id, due_at, conversation_id) WHERE due_at IS NOT NULL; the page
# is picked per store on the SLA row's store_id, the keys are the SLA row's columns.
SLA_SORT = Sort(
    "sla",
    "SLA due",
    (SortKey("sla_due_at", lookup="sla__due_at"), SortKey("id", kind="int", lookup="sla__conversation_id")),
    prepare=_running_clock,
    store_path="sla__store_id",
)


CALLBACK_PAGE = 100


def callback_queue(store_ids: list[int], limit: int = CALLBACK_PAGE) -> list[CallbackTask]:
    """The queued callbacks of the agent's stores (`core.access.store_ids_for`), soonest due
    first, with customer, store and assignee joined: one query. Index: callback_queue_idx."""
    if not store_ids:
        return []
    return list(
        CallbackTask.objects.filter(store_id__in=store_ids, status=CallbackStatus.QUEUED)
        .select_related("customer", "store", "assignee")
        .order_by("due_at", "id")[:limit]
    )
