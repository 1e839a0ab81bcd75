"""Writers of business hours (a store's default and per-team hours)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from storedesk.automation.models import BusinessHours
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.lib.business_hours import Schedule, ScheduleError
from storedesk.core.models import Store, Team, User


def _recompute_on_commit(store_id: int) -> None:
    def enqueue() -> None:
        from storedesk.automation.tasks import recompute_store_sla

        recompute_store_sla(store_id)

    transaction.on_commit(enqueue)


def do_save_business_hours(
    actor: User | None,
    store: Store,
    *,
    week: dict[str, Any],
    holidays: list[dict[str, Any]] | None = None,
    timezone_name: str = "",
    team: Team | None = None,
    name: str = "",
) -> BusinessHours:
    """Create or replace the store's default hours (team=None) or a team's hours. Running SLA
    clocks of the store are recomputed after commit."""
    if actor is not None:
        check_permission(actor, store.pk, "store.manage")
    if team is not None and team.store_id != store.pk:
        raise NotFound("Team not found.")
    holidays = holidays or []
    try:
        schedule = Schedule.from_json({"timezone": timezone_name or store.timezone, "week": week, "holidays": holidays})
    except ScheduleError as error:
        raise ActionError(str(error), code="invalid_schedule") from None
    normal = schedule.to_json()
    with transaction.atomic():
        hours = BusinessHours.objects.select_for_update().filter(store=store, team=team).first()
        before = {"week": hours.week, "holidays": hours.holidays, "timezone": hours.timezone} if hours else {}
        if hours is None:
            hours = BusinessHours(store=store, team=team)
        hours.name = name or hours.name or (f"{team.name} hours" if team else "Business hours")
        hours.timezone = timezone_name
        hours.week = normal["week"]
        hours.holidays = normal["holidays"]
        hours.updated_at = timezone.now()
        hours.save()
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="business_hours.saved",
            obj=hours,
            before=before,
            after={"week": hours.week, "holidays": hours.holidays, "timezone": hours.timezone},
        )
        _recompute_on_commit(store.pk)
    return hours


def do_delete_business_hours(actor: User | None, hours: BusinessHours) -> None:
    if actor is not None:
        check_permission(actor, hours.store_id, "store.manage")
    with transaction.atomic():
        audit.record(
            store_id=hours.store_id,
            actor=actor,
            verb="business_hours.deleted",
            obj=hours,
            before={"week": hours.week, "holidays": hours.holidays, "team_id": hours.team_id},
        )
        hours.delete()
        _recompute_on_commit(hours.store_id)
