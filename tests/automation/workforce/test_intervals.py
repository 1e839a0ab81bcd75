"""Specs for the planning grid: local half hours from Monday 00:00, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from storedesk.automation.workforce.intervals import fold, slot_index, slot_label, slot_start, week_start

LONDON = ZoneInfo("Europe/London")


def test_it_finds_the_monday():
    assert week_start(date(2026, 11, 22)) == date(2026, 11, 16)
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)


def test_slots_follow_the_wall_clock_across_the_autumn_change():
    monday = date(2026, 10, 19)  # London leaves summer time on Sunday 25 October
    assert slot_start(monday, 18, LONDON) == datetime(2026, 10, 19, 8, 0, tzinfo=UTC)  # Mon 09:00 BST
    assert slot_start(monday, 7 * 48, LONDON) == datetime(2026, 10, 26, 0, 0, tzinfo=UTC)  # next Mon 00:00 GMT
    assert slot_index(datetime(2026, 10, 26, 9, 0, tzinfo=UTC), monday, LONDON) == 7 * 48 + 18
    assert slot_label(7 * 48 + 18) == "Mon 09:00"


def test_fold_adds_the_repeated_half_hour_and_leaves_out_the_range():
    monday = date(2026, 10, 19)
    rows = [
        ("chat", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 2),  # 01:30 BST
        ("chat", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), 3),  # 01:30 GMT: the same wall-clock interval
        ("email", datetime(2026, 10, 19, 8, 0, tzinfo=UTC), 1),  # Mon 09:00 BST
        ("email", datetime(2026, 10, 26, 8, 0, tzinfo=UTC), 9),  # next week: outside
        ("sms", datetime(2026, 10, 19, 8, 0, tzinfo=UTC), 4),  # not asked for
    ]
    series = fold(rows, monday, 1, LONDON, ["chat", "email"])
    assert set(series) == {"chat", "email"}
    assert series["chat"][6 * 48 + 3] == 5
    assert sum(series["chat"]) == 5
    assert series["email"][18] == 1 and sum(series["email"]) == 1
