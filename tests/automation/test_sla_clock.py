"""The SLA clock arithmetic (no database): due times with business hours and pauses, checked
against a brute-force minute-by-minute reference with hypothesis."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from storedesk.automation.sla import due_with_pauses
from storedesk.core.lib.business_hours import Schedule

M = timedelta(minutes=1)
H = timedelta(hours=1)
START = datetime(2026, 3, 27, tzinfo=UTC)  # the Friday before the London spring-forward weekend
NINE_TO_FIVE = Schedule("Europe/London", [((540, 1020),)] * 5 + [(), ()])


def test_it_adds_the_target_when_nothing_pauses():
    friday_4pm = datetime(2026, 3, 27, 16, tzinfo=UTC)  # GMT until Sunday
    assert due_with_pauses(NINE_TO_FIVE, friday_4pm, 2 * H, []) == datetime(2026, 3, 30, 9, tzinfo=UTC)  # 10:00 BST


def test_it_pushes_the_due_time_by_the_open_time_a_pause_took():
    monday_9 = datetime(2026, 3, 30, 8, tzinfo=UTC)  # 09:00 BST
    pause = (monday_9 + H, monday_9 + 3 * H)
    assert due_with_pauses(NINE_TO_FIVE, monday_9, 4 * H, [pause]) == monday_9 + 6 * H


def test_it_ignores_pause_time_outside_business_hours():
    friday_4pm = datetime(2026, 3, 27, 16, tzinfo=UTC)
    weekend_pause = (datetime(2026, 3, 28, 10, tzinfo=UTC), datetime(2026, 3, 29, 10, tzinfo=UTC))
    assert due_with_pauses(NINE_TO_FIVE, friday_4pm, 2 * H, [weekend_pause]) == datetime(2026, 3, 30, 9, tzinfo=UTC)


def test_it_has_no_due_time_while_paused_before_it():
    monday_9 = datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert due_with_pauses(NINE_TO_FIVE, monday_9, 4 * H, [(monday_9 + H, None)]) is None


def test_it_keeps_a_due_time_reached_before_an_open_pause():
    monday_9 = datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert due_with_pauses(NINE_TO_FIVE, monday_9, H, [(monday_9 + 2 * H, None)]) == monday_9 + H


@st.composite
def schedules(draw):
    tz = draw(st.sampled_from(["UTC", "Europe/London", "America/New_York"]))

    def day_spans():
        cuts = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
        return tuple((a * 30, b * 30) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b)

    week = [day_spans() for _ in range(7)]
    if not any(week):
        week[2] = ((540, 1020),)
    holidays = {date(2026, 3, 27) + timedelta(days=draw(st.integers(0, 6))): day_spans()}
    return Schedule(tz, week, holidays)


@st.composite
def pause_lists(draw):
    """Up to three disjoint pauses on whole minutes within the first four days; the last may be open."""
    cuts = sorted(draw(st.sets(st.integers(0, 4 * 24 * 60), max_size=6)))
    pauses: list[tuple[datetime, datetime | None]] = [
        (START + a * M, START + b * M) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b
    ]
    if pauses and draw(st.booleans()):
        pauses[-1] = (pauses[-1][0], None)
    return pauses


def reference_due(schedule: Schedule, start: datetime, target_minutes: int, pauses) -> datetime | None:
    """Count open, unpaused minutes one at a time until the target is reached."""

    def paused(at: datetime) -> bool:
        return any(a <= at and (b is None or at < b) for a, b in pauses)

    at, counted = start, 0
    while counted < target_minutes:
        if any(b is None and a <= at for a, b in pauses):
            return None  # the open pause came before the target: no due time while it lasts
        if schedule.is_open(at) and not paused(at):
            counted += 1
        at += M
        assume(at - start < timedelta(days=12))
    return at


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules(), st.integers(0, 2 * 24 * 60), st.integers(0, 24 * 60), pause_lists())
def test_it_agrees_with_the_minute_by_minute_reference(schedule, start_minute, target_minutes, pauses):
    start = START + start_minute * M
    expected = reference_due(schedule, start, target_minutes, pauses)
    assert due_with_pauses(schedule, start, target_minutes * M, pauses) == expected
