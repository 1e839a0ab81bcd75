"""Specs for the coverage arithmetic: scheduled agents per interval, missing agent-intervals,
short ranges and greedy same-day shift moves."""

from __future__ import annotations

from storedesk.automation.workforce.coverage import (
    Move,
    ShortRange,
    Span,
    missing,
    scheduled_counts,
    short_ranges,
    suggest_moves,
)

DAY = 48


def test_it_counts_scheduled_agents_per_interval():
    spans = [Span(1, 2, 5), Span(2, 4, 6), Span(3, -2, 1), Span(4, 7, 12)]
    assert scheduled_counts(spans, 8) == [1, 0, 1, 1, 2, 1, 0, 1]


def test_it_counts_missing_agent_intervals():
    assert missing([2, 2, 0, 3], [1, 3, 1, 0]) == 4


def test_it_lists_short_ranges_split_at_midnight():
    required = [0] * (2 * DAY)
    required[46:50] = [2, 2, 1, 1]
    required[60] = 3
    scheduled = [0] * (2 * DAY)
    scheduled[48] = 1
    assert short_ranges(required, scheduled) == [ShortRange(46, 48, 2), ShortRange(49, 50, 1), ShortRange(60, 61, 3)]


def test_it_moves_a_shift_from_an_overstaffed_morning_to_a_short_evening():
    required = [0] * DAY
    required[16:40] = [1] * 24  # 08:00–20:00: one agent
    spans = [Span(10, 16, 32), Span(11, 16, 32)]  # two agents 08:00–16:00, nobody after
    moves = suggest_moves(required, spans)
    # Moving one shift 8 hours later (16 half hours) covers 16:00–20:00 and leaves the morning covered.
    assert moves == [Move(10, 8, 24, 40, 8)]
    after = scheduled_counts([Span(10, 24, 40), Span(11, 16, 32)], DAY)
    assert missing(required, after) == 0


def test_it_suggests_nothing_when_no_move_helps():
    required = [0] * DAY
    required[16:32] = [2] * 16
    spans = [Span(1, 16, 32)]
    assert suggest_moves(required, spans) == []


def test_it_keeps_moves_within_the_day():
    required = [0] * (2 * DAY)
    required[DAY + 2 : DAY + 6] = [1] * 4  # early on day two
    spans = [Span(1, 40, 48)]  # late on day one
    assert suggest_moves(required, spans) == []
