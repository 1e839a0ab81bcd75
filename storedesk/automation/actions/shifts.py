"""Writers of the shift schedule and the staffing targets (leads and admins: `schedule.manage`).

Shifts are dated, on whole half hours of the store's local time, at most 16 hours long, and
never overlap another shift of the same agent in the store. "Copy last week" repeats the
previous week's shifts at the same wall-clock times (so a DST change keeps 09:00 at 09:00),
skipping any that would overlap a shift already there — running it twice adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from storedesk.automation.models import Shift
from storedesk.automation.workforce.staffing import Targets
from storedesk.core import audit
from storedesk.core.access import check_permission, roles_for
from storedesk.core.errors import ActionError
from storedesk.core.models import Store, User

PERMISSION = "schedule.manage"


def _check(actor: User | None, store_id: int) -> None:
    if actor is not None:
        check_permission(actor, store_id, PERMISSION)


def _validate(store: Store, user: User, starts_at: datetime, ends_at: datetime) -> None:
    if store.pk not in roles_for(user) or not user.is_active:
        raise ActionError(f"{user.email} is not an active agent of this store.", code="invalid_agent")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ActionError("Shift times need a time zone.", code="invalid_shift")
    if ends_at <= starts_at:
        raise ActionError("A shift must end after it starts.", code="invalid_shift")
    if ends_at - starts_at > Shift.MAX_LENGTH:
        raise ActionError("A shift lasts at most 16 hours.", code="invalid_shift")
    zone = ZoneInfo(store.timezone or "UTC")
    for moment in (starts_at, ends_at):
        local = moment.astimezone(zone)
        if local.minute % 30 or local.second or local.microsecond:
            raise ActionError("Shifts start and end on the hour or half hour.", code="invalid_shift")


def _overlapping(store: Store, user_id: int, starts_at: datetime, ends_at: datetime, exclude: int | None = None):
    found = Shift.objects.filter(
        store=store,
        user_id=user_id,
        starts_at__lt=ends_at,
        starts_at__gt=starts_at - Shift.MAX_LENGTH,
        ends_at__gt=starts_at,
    )
    return found.exclude(pk=exclude) if exclude else found


def _values(shift: Shift) -> dict[str, object]:
    return {
        "user_id": shift.user_id,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "note": shift.note,
    }


def do_save_shift(
    actor: User | None,
    store: Store,
    *,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
    shift: Shift | None = None,
) -> Shift:
    """Add a shift, or change `shift` (agent, times, note)."""
    _check(actor, store.pk)
    if shift is not None and shift.store_id != store.pk:
        raise ActionError("Shift not found.", code="not_found")
    _validate(store, user, starts_at, ends_at)
    with transaction.atomic():
        if shift is not None:
            shift = Shift.objects.select_for_update().get(pk=shift.pk)
        if _overlapping(store, user.pk, starts_at, ends_at, exclude=shift.pk if shift else None).exists():
            raise ActionError(f"{user.name} already has a shift at that time.", code="shift_overlap")
        before = _values(shift) if shift else {}
        if shift is None:
            shift = Shift(store=store)
        shift.user = user
        shift.starts_at, shift.ends_at = starts_at, ends_at
        shift.note = note[:200]
        shift.updated_at = timezone.now()
        shift.save()
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="shift.changed" if before else "shift.added",
            obj=shift,
            before=before,
            after=_values(shift),
        )
    return shift


def do_delete_shift(actor: User | None, shift: Shift) -> None:
    _check(actor, shift.store_id)
    with transaction.atomic():
        audit.record(store_id=shift.store_id, actor=actor, verb="shift.deleted", obj=shift, before=_values(shift))
        shift.delete()


def _same_wall_time_next_week(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=7), local.time(), tzinfo=zone)


def do_copy_previous_week(actor: User | None, store: Store, monday: date) -> dict[str, int]:
    """Copy the shifts of the week before `monday` (local) into the week from `monday`.
    Returns {"copied": n, "skipped": m} (skipped: they would overlap a shift already there)."""
    _check(actor, store.pk)
    zone = ZoneInfo(store.timezone or "UTC")
    start = datetime.combine(monday - timedelta(days=7), datetime.min.time(), tzinfo=zone)
    end = datetime.combine(monday, datetime.min.time(), tzinfo=zone)
    copied, skipped, ids = 0, 0, []
    with transaction.atomic():
        source = list(
            Shift.objects.filter(store=store, starts_at__gte=start, starts_at__lt=end)
            .select_related("user")
            .order_by("starts_at", "id")
        )
        for shift in source:
            starts_at = _same_wall_time_next_week(shift.starts_at, zone)
            ends_at = _same_wall_time_next_week(shift.ends_at, zone)
            if not shift.user.is_active or _overlapping(store, shift.user_id, starts_at, ends_at).exists():
                skipped += 1
                continue
            made = Shift.objects.create(
                store=store, user_id=shift.user_id, starts_at=starts_at, ends_at=ends_at, note=shift.note
            )
            ids.append(made.pk)
            copied += 1
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="shift.week_copied",
            obj=store,
            after={"week": monday.isoformat(), "copied": copied, "skipped": skipped, "shift_ids": ids},
        )
    return {"copied": copied, "skipped": skipped}


def do_save_staffing_targets(
    actor: User | None,
    store: Store,
    *,
    service_level: float,
    target_s: float,
    max_occupancy: float,
    shrinkage: float,
) -> Targets:
    """The targets the coverage view staffs to: `store.settings["workforce"]`."""
    _check(actor, store.pk)
    try:
        targets = Targets(service_level, target_s, max_occupancy, shrinkage)
    except ValueError as error:
        raise ActionError(str(error), code="invalid_targets") from None
    with transaction.atomic():
        locked = Store.objects.select_for_update().get(pk=store.pk)
        before = dict(locked.settings.get("workforce") or {})
        after = {
            "service_level": service_level,
            "target_s": target_s,
            "max_occupancy": max_occupancy,
            "shrinkage": shrinkage,
        }
        locked.settings = {**locked.settings, "workforce": {**before, **after}}
        locked.save(update_fields=["settings"])
        store.settings = locked.settings
        audit.record(
            store_id=store.pk, actor=actor, verb="workforce.targets_saved", obj=locked, before=before, after=after
        )
    return targets
