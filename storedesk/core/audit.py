"""The audit trail: one row per change, written inside the changing transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from storedesk.core.models import AuditEvent, User


def record(
    *,
    store_id: int,
    actor: User | None,
    verb: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    actor_kind: str | None = None,
) -> AuditEvent:
    if actor_kind is None:
        actor_kind = AuditEvent.ActorKind.AGENT if actor is not None else AuditEvent.ActorKind.SYSTEM
    return AuditEvent.objects.create(
        store_id=store_id,
        actor=actor,
        actor_kind=actor_kind,
        verb=verb,
        object_type=obj._meta.model_name or obj.__class__.__name__.lower(),
        object_id=obj.pk,
        before=before or {},
        after=after or {},
        reason=reason,
    )
