"""Specs for the shift schedule's writers: leads and admins add, change, delete and copy shifts
(audited); agents and other stores cannot; shifts stay on half hours, at most 16 hours, never
overlapping for one agent; copying last week keeps wall-clock times across a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from storedesk.automation.actions.shifts import (
    do_copy_previous_week,
    do_delete_shift,
    do_save_shift,
    do_save_staffing_targets,
)
from storedesk.automation.models import Shift
from storedesk.automation.workforce.staffing import Targets
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import AuditEvent
from tests.automation.factories import ShiftFactory

LONDON = ZoneInfo("Europe/London")


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=LONDON)


@pytest.fixture
def store(acme):
    acme.timezone = "Europe/London"
    acme.save()
    return acme


def test_a_lead_adds_changes_and_deletes_a_shift_with_audit_rows(store, leo, ana, ben):
    shift = do_save_shift(leo, store, user=ana, starts_at=at("2026-11-23", "09:00"), ends_at=at("2026-11-23", "17:30"))
    assert (shift.user_id, shift.starts_at, shift.ends_at) == (
        ana.pk,
        at("2026-11-23", "09:00"),
        at("2026-11-23", "17:30"),
    )
    do_save_shift(leo, store, user=ben, starts_at=at("2026-11-23", "10:00"), ends_at=at("2026-11-23", "18:00"),
                  note="swap", shift=shift)  # fmt: skip
    shift.refresh_from_db()
    assert (shift.user_id, shift.starts_at, shift.note) == (ben.pk, at("2026-11-23", "10:00"), "swap")
    do_delete_shift(leo, shift)
    assert not Shift.objects.exists()
    verbs = list(AuditEvent.objects.filter(store_id=store.pk).order_by("id").values_list("verb", "actor_id"))
    assert verbs == [("shift.added", leo.pk), ("shift.changed", leo.pk), ("shift.deleted", leo.pk)]
    changed = AuditEvent.objects.get(verb="shift.changed")
    assert changed.before["user_id"] == ana.pk and changed.after["user_id"] == ben.pk


def test_an_agent_cannot_touch_the_schedule(store, ana, ben, leo):
    with pytest.raises(PermissionDenied):
        do_save_shift(ana, store, user=ana, starts_at=at("2026-11-23", "09:00"), ends_at=at("2026-11-23", "17:00"))
    shift = ShiftFactory(store=store, user=ben, starts_at=at("2026-11-23", "09:00"), ends_at=at("2026-11-23", "17:00"))
    with pytest.raises(PermissionDenied):
        do_delete_shift(ana, shift)
    with pytest.raises(PermissionDenied):
        do_copy_previous_week(ana, store, date(2026, 11, 30))
    with pytest.raises(PermissionDenied):
        do_save_staffing_targets(ana, store, service_level=0.9, target_s=30, max_occupancy=0.8, shrinkage=0.2)
    assert list(Shift.objects.values_list("pk", flat=True)) == [shift.pk]
    assert not AuditEvent.objects.exists()
    store.refresh_from_db()
    assert "workforce" not in store.settings


def test_another_store_is_not_found(store, gus, ana):
    with pytest.raises(NotFound):
        do_save_shift(gus, store, user=ana, starts_at=at("2026-11-23", "09:00"), ends_at=at("2026-11-23", "17:00"))
    assert not Shift.objects.exists()


def test_a_shift_is_for_an_agent_of_the_store(store, leo, gus):
    with pytest.raises(ActionError, match="not an active agent"):
        do_save_shift(leo, store, user=gus, starts_at=at("2026-11-23", "09:00"), ends_at=at("2026-11-23", "17:00"))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [("09:00", "09:00", "end after"), ("09:15", "17:00", "half hour"), ("09:00", "17:45", "half hour")],
)
def test_it_refuses_bad_times(store, leo, ana, start, end, message):
    with pytest.raises(ActionError, match=message):
        do_save_shift(leo, store, user=ana, starts_at=at("2026-11-23", start), ends_at=at("2026-11-23", end))
    assert not Shift.objects.exists()


def test_it_refuses_a_shift_over_16_hours(store, leo, ana):
    with pytest.raises(ActionError, match="16 hours"):
        do_save_shift(leo, store, user=ana, starts_at=at("2026-11-23", "06:00"), ends_at=at("2026-11-24", "00:00"))


def test_it_refuses_overlapping_shifts_of_one_agent_but_not_of_two(store, leo, ana, ben):
    first = do_save_shift(leo, store, user=ana, starts_at=at("2026-11-23", "09:00"), ends_at=at("2026-11-23", "17:00"))
    with pytest.raises(ActionError, match="already has a shift"):
        do_save_shift(leo, store, user=ana, starts_at=at("2026-11-23", "16:30"), ends_at=at("2026-11-23", "20:00"))
    do_save_shift(leo, store, user=ben, starts_at=at("2026-11-23", "16:30"), ends_at=at("2026-11-23", "20:00"))
    # Back to back is fine, and a shift may be moved over its own old times.
    do_save_shift(leo, store, user=ana, starts_at=at("2026-11-23", "17:00"), ends_at=at("2026-11-23", "20:00"))
    do_save_shift(
        leo, store, user=ana, starts_at=at("2026-11-23", "08:00"), ends_at=at("2026-11-23", "16:00"), shift=first
    )
    assert Shift.objects.count() == 3


def test_copying_last_week_keeps_wall_clock_times_across_dst_and_runs_once(store, olivia, ana, ben):
    # London leaves summer time on Sunday 25 October 2026: 09:00 BST is 08:00 UTC, 09:00 GMT is 09:00 UTC.
    ShiftFactory(store=store, user=ana, starts_at=at("2026-10-19", "09:00"), ends_at=at("2026-10-19", "17:00"))
    ShiftFactory(store=store, user=ana, starts_at=at("2026-10-24", "22:00"), ends_at=at("2026-10-25", "06:00"))
    ShiftFactory(store=store, user=ben, starts_at=at("2026-10-19", "12:00"), ends_at=at("2026-10-19", "16:00"))
    ShiftFactory(store=store, user=ben, starts_at=at("2026-10-26", "13:00"), ends_at=at("2026-10-26", "18:00"))
    assert do_copy_previous_week(olivia, store, date(2026, 10, 26)) == {"copied": 2, "skipped": 1}
    copies = Shift.objects.filter(user=ana, starts_at__gte=at("2026-10-26", "00:00")).order_by("starts_at")
    assert [(s.starts_at, s.ends_at) for s in copies] == [
        (datetime(2026, 10, 26, 9, tzinfo=UTC), datetime(2026, 10, 26, 17, tzinfo=UTC)),
        (datetime(2026, 10, 31, 22, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC)),
    ]
    # Ben's Monday copy would overlap the shift he already has: skipped. Again: nothing new.
    assert Shift.objects.filter(user=ben).count() == 2
    assert do_copy_previous_week(olivia, store, date(2026, 10, 26)) == {"copied": 0, "skipped": 3}
    assert Shift.objects.count() == 6
    event = AuditEvent.objects.filter(verb="shift.week_copied").order_by("id").first()
    assert (event.after["copied"], event.after["skipped"], event.after["week"]) == (2, 1, "2026-10-26")


def test_a_lead_saves_staffing_targets(store, leo):
    targets = do_save_staffing_targets(leo, store, service_level=0.9, target_s=30, max_occupancy=0.8, shrinkage=0.25)
    assert targets == Targets(0.9, 30, 0.8, 0.25)
    store.refresh_from_db()
    assert store.settings["workforce"] == {
        "service_level": 0.9,
        "target_s": 30,
        "max_occupancy": 0.8,
        "shrinkage": 0.25,
    }
    with pytest.raises(ActionError, match="shrinkage"):
        do_save_staffing_targets(leo, store, service_level=0.9, target_s=30, max_occupancy=0.8, shrinkage=1.5)
    assert AuditEvent.objects.filter(verb="workforce.targets_saved").count() == 1
