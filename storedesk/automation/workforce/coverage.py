"""Scheduled versus required agents per interval, and where to move shifts. Pure.

Shifts are given as interval ranges on the week grid (`intervals.py`): [first, end). A shift
covers an interval it spans; the schedule form keeps shifts on whole half hours.

Suggestions are greedy, one day at a time: among all moves of one shift earlier or later on
the same day (same length, up to `MAX_OFFSET` half hours), take the one that removes the most
missing agent-intervals (required − scheduled, where positive) — moving a shift out of an
interval can make it short, and that counts against the move — and repeat while a move helps.
What no move can fix is listed as short ranges to staff with extra hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storedesk.automation.workforce.intervals import SLOTS_PER_DAY

MAX_OFFSET = 16  # half hours: a shift moves by up to 8 hours
MAX_MOVES_PER_DAY = 3


@dataclass(frozen=True)
class Span:
    key: int  # the shift's id
    first: int
    end: int  # exclusive


@dataclass(frozen=True)
class Move:
    key: int
    offset: int  # half hours, negative: earlier
    first: int  # the new range
    end: int
    fixed: int  # missing agent-intervals removed


@dataclass(frozen=True)
class ShortRange:
    first: int
    end: int  # exclusive
    missing: int  # the most agents missing in the range


def scheduled_counts(spans: Sequence[Span], size: int) -> list[int]:
    counts = [0] * size
    for span in spans:
        for i in range(max(span.first, 0), min(span.end, size)):
            counts[i] += 1
    return counts


def missing(required: Sequence[int], scheduled: Sequence[int]) -> int:
    """Missing agent-intervals: Σ max(0, required − scheduled)."""
    return sum(max(r - s, 0) for r, s in zip(required, scheduled, strict=True))


def _best_move(required: Sequence[int], counts: list[int], spans: Sequence[Span], lo: int, hi: int) -> Move | None:
    base = missing(required[lo:hi], counts[lo:hi])
    best: Move | None = None
    for span in spans:
        for offset in sorted(range(-MAX_OFFSET, MAX_OFFSET + 1), key=abs):
            first, end = span.first + offset, span.end + offset
            if offset == 0 or first < lo or end > hi:
                continue
            trial = counts[lo:hi]
            for i in range(span.first, span.end):
                trial[i - lo] -= 1
            for i in range(first, end):
                trial[i - lo] += 1
            fixed = base - missing(required[lo:hi], trial)
            if fixed > 0 and (best is None or fixed > best.fixed):
                best = Move(span.key, offset, first, end, fixed)
    return best


def suggest_moves(
    required: Sequence[int], spans: Sequence[Span], max_moves_per_day: int = MAX_MOVES_PER_DAY
) -> list[Move]:
    """Greedy same-day moves that reduce the missing agent-intervals, best first per day.
    A shift is moved at most once; shifts crossing midnight are left alone."""
    size = len(required)
    counts = scheduled_counts(spans, size)
    moves: list[Move] = []
    for lo in range(0, size, SLOTS_PER_DAY):
        hi = min(lo + SLOTS_PER_DAY, size)
        movable = [s for s in spans if lo <= s.first and s.end <= hi]
        for _ in range(max_moves_per_day):
            move = _best_move(required, counts, movable, lo, hi)
            if move is None:
                break
            span = next(s for s in movable if s.key == move.key)
            for i in range(span.first, span.end):
                counts[i] -= 1
            for i in range(move.first, move.end):
                counts[i] += 1
            movable = [s for s in movable if s.key != move.key]
            moves.append(move)
    return moves


def short_ranges(required: Sequence[int], scheduled: Sequence[int]) -> list[ShortRange]:
    """Runs of consecutive understaffed intervals (within a day), with the most agents missing."""
    ranges: list[ShortRange] = []
    start: int | None = None
    worst = 0
    for i, (r, s) in enumerate([*zip(required, scheduled, strict=True), (0, 0)]):
        short = r > s
        if start is not None and (not short or i % SLOTS_PER_DAY == 0):
            ranges.append(ShortRange(start, i, worst))
            start = None
        if short and start is None:
            start, worst = i, 0
        if short:
            worst = max(worst, r - s)
    return ranges
