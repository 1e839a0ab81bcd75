"""Business hours: a weekly schedule in a time zone, with holidays. No ORM here.

A schedule is open at an instant when that instant's *wall-clock* time in the schedule's
zone falls inside one of the open intervals of its local date (the holiday's intervals on a
holiday, the weekday's otherwise). Everything else follows from that one definition:

- spring forward: wall times in the gap never happen, so an interval crossing the gap is
  shorter in real time (09:00–17:00 on a 23-hour day is still 8 h; 00:30–03:00 across a
  01:00→02:00 jump is 1 h 30);
- fall back: repeated wall times happen twice, so an interval covering the repeat is longer
  (01:00–02:00 on the London fall-back day is open for 2 real hours);
- a whole day 00:00–24:00 lasts 23 or 25 hours on those days.

All arithmetic is on aware datetimes; results are in UTC. Durations are `timedelta`s of open
time and are exact (microseconds), so `business_time_between(a, add_business_time(a, d)) == d`.

JSON form (what `BusinessHours.schedule` stores, see `Schedule.from_json`):

    {"timezone": "Europe/London",
     "week": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "12:30"], ["13:30", "17:00"]], ...},
     "holidays": [{"date": "2026-12-25"},                          # closed all day
                  {"date": "2026-12-24", "open": [["09:00", "13:00"]]}]}   # partial day
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60

Span = tuple[int, int]  # [start, end) in minutes after local midnight; 0 <= start < end <= 1440

_CHUNK = timedelta(days=7)  # how far ahead the segment walker looks per step
_PROBE = timedelta(hours=6)  # offset changes are looked for at this spacing, then bisected


class ScheduleError(ValueError):
    """A schedule that cannot be used (bad time, overlapping intervals, unknown zone)."""


class NeverOpen(ValueError):
    """Asked for open time from a schedule that is never open again."""


def parse_hhmm(value: str) -> int:
    """ "09:30" → 570. "24:00" is allowed (the end of the day)."""
    try:
        hours, minutes = value.split(":")
        result = int(hours) * 60 + int(minutes)
        valid = 0 <= int(minutes) < 60 and 0 <= result <= DAY_MINUTES
    except (ValueError, AttributeError):
        valid = False
    if not valid:
        raise ScheduleError(f"{value!r} is not a time of day (HH:MM, 00:00–24:00).")
    return result


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _spans(raw: Iterable[Sequence[str]], where: str) -> tuple[Span, ...]:
    spans = []
    for item in raw:
        if len(item) != 2:
            raise ScheduleError(f"{where}: an interval is [start, end], got {list(item)!r}.")
        start, end = parse_hhmm(item[0]), parse_hhmm(item[1])
        if start >= end:
            raise ScheduleError(f"{where}: {item[0]}–{item[1]} ends before it starts (split intervals at midnight).")
        spans.append((start, end))
    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise ScheduleError(f"{where}: intervals overlap.")
    return tuple(spans)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"Unknown time zone {name!r}.") from None


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware.")
    return value.astimezone(UTC)


class Schedule:
    """Weekly open intervals per weekday (Monday first) in `tz`, with holidays that replace a
    date's intervals (an empty tuple: closed all day)."""

    __slots__ = ("_always", "_last_holiday", "holidays", "tz", "week")

    def __init__(
        self,
        tz: ZoneInfo | str,
        week: Sequence[Sequence[Span]],
        holidays: Mapping[date, Sequence[Span]] | None = None,
    ) -> None:
        self.tz = _zone(tz) if isinstance(tz, str) else tz
        if len(week) != 7:
            raise ScheduleError("A week has seven days (Monday first).")
        self.week: tuple[tuple[Span, ...], ...] = tuple(tuple(day) for day in week)
        self.holidays: dict[date, tuple[Span, ...]] = {day: tuple(spans) for day, spans in (holidays or {}).items()}
        self._last_holiday = max(self.holidays, default=None)
        self._always = not self.holidays and all(day == ((0, DAY_MINUTES),) for day in self.week)

    # --- construction --------------------------------------------------------------------

    @classmethod
    def always_open(cls, tz: ZoneInfo | str = "UTC") -> Schedule:
        """Calendar time: open every instant."""
        return cls(tz, [((0, DAY_MINUTES),)] * 7)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], default_tz: str = "UTC") -> Schedule:
        week_raw = data.get("week") or {}
        unknown = set(week_raw) - set(WEEKDAYS)
        if unknown:
            raise ScheduleError(f"Unknown weekday(s): {', '.join(sorted(unknown))}; use {', '.join(WEEKDAYS)}.")
        week = [_spans(week_raw.get(name, []), name) for name in WEEKDAYS]
        holidays: dict[date, tuple[Span, ...]] = {}
        for item in data.get("holidays") or []:
            try:
                day = date.fromisoformat(item["date"])
            except (KeyError, TypeError, ValueError):
                raise ScheduleError(f"A holiday needs a date (YYYY-MM-DD), got {item!r}.") from None
            holidays[day] = _spans(item.get("open", []), str(day))
        return cls(data.get("timezone") or default_tz, week, holidays)

    def to_json(self) -> dict[str, Any]:
        return {
            "timezone": self.tz.key,
            "week": {
                name: [[format_hhmm(s), format_hhmm(e)] for s, e in spans]
                for name, spans in zip(WEEKDAYS, self.week, strict=True)
                if spans
            },
            "holidays": [
                {
                    "date": day.isoformat(),
                    **({"open": [[format_hhmm(s), format_hhmm(e)] for s, e in spans]} if spans else {}),
                }
                for day, spans in sorted(self.holidays.items())
            ],
        }

    # --- the four questions --------------------------------------------------------------

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The open intervals of a local date (a holiday's own, else its weekday's)."""
        spans = self.holidays.get(day)
        return spans if spans is not None else self.week[day.weekday()]

    def is_open(self, at: datetime) -> bool:
        local = _aware(at, "at").astimezone(self.tz).replace(tzinfo=None)
        since_midnight = local - datetime.combine(local.date(), time())
        return any(
            timedelta(minutes=s) <= since_midnight < timedelta(minutes=e) for s, e in self.spans_on(local.date())
        )

    def next_open(self, at: datetime) -> datetime | None:
        """`at` itself when open, else the next instant it opens (UTC); None if it never does."""
        for start, _ in self.segments_from(at):
            return start
        return None

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of open time has passed since `start` (UTC).

        A zero duration returns `start`. A positive one always lands inside an open interval
        or at its end, never in closed time: 1 h before closing plus 2 h is 1 h after opening.
        """
        start = _aware(start, "start")
        if duration < timedelta(0):
            raise ValueError("duration must not be negative.")
        if not duration:
            return start
        if self._always:
            return start + duration
        remaining = duration
        for seg_start, seg_end in self.segments_from(start):
            length = seg_end - seg_start
            if remaining <= length:
                return seg_start + remaining
            remaining -= length
        raise NeverOpen("The schedule is never open again.")

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Open time in [a, b); negative when b is before a."""
        a, b = _aware(a, "a"), _aware(b, "b")
        if b < a:
            return -self.business_time_between(b, a)
        if self._always:
            return b - a
        total = timedelta(0)
        for seg_start, seg_end in self.segments_from(a):
            if seg_start >= b:
                break
            total += min(seg_end, b) - seg_start
        return total

    # --- the machinery -------------------------------------------------------------------

    def segments_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open segments [s, e) in UTC from `start` on, in order; the first one is cut at
        `start`. Adjacent ones are merged within a week's walk (not across: 24/7 stretches would
        never end). Infinite when the week has open hours; otherwise it ends
        after the last holiday."""
        start = _aware(start, "start")
        if self._always:
            yield start, datetime.max.replace(tzinfo=UTC)
            return
        pending: tuple[datetime, datetime] | None = None
        chunk_start = start
        while True:
            if not any(self.week) and (
                self._last_holiday is None or chunk_start.date() > self._last_holiday + timedelta(days=2)
            ):
                break
            chunk_end = chunk_start + _CHUNK
            for seg in self._segments_in(chunk_start, chunk_end):
                if pending is not None and pending[1] == seg[0]:
                    pending = (pending[0], seg[1])
                    continue
                if pending is not None:
                    yield pending
                pending = seg
            if pending is not None:  # an always-open stretch is cut at chunk ends, not merged forever
                yield pending
                pending = None
            chunk_start = chunk_end

    def _segments_in(self, u0: datetime, u1: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open segments within [u0, u1): within a run of constant UTC offset, wall time is
        UTC shifted by that offset, so each interval maps to one UTC segment (or none)."""
        for p0, p1, offset in self._constant_offset_runs(u0, u1):
            w0, w1 = (p0 + offset).replace(tzinfo=None), (p1 + offset).replace(tzinfo=None)
            day = w0.date()
            while (midnight := datetime.combine(day, time())) < w1:
                for s, e in self.spans_on(day):
                    lo = max(midnight + timedelta(minutes=s), w0)
                    hi = min(midnight + timedelta(minutes=e), w1)
                    if lo < hi:
                        yield (lo - offset).replace(tzinfo=UTC), (hi - offset).replace(tzinfo=UTC)
                day += timedelta(days=1)

    def _offset(self, at: datetime) -> timedelta:
        return at.astimezone(self.tz).utcoffset() or timedelta(0)

    def _constant_offset_runs(self, u0: datetime, u1: datetime) -> Iterator[tuple[datetime, datetime, timedelta]]:
        """Split [u0, u1) at the zone's offset changes. They are found by probing every 6 h
        (zones do not change offset twice within 6 hours) and bisecting to the second (tzdata
        transitions fall on whole seconds)."""
        last = u1 - timedelta(microseconds=1)
        run_start, offset, probe = u0, self._offset(u0), u0
        while probe < last:
            nxt = min(probe + _PROBE, last)
            if self._offset(nxt) == offset:
                probe = nxt
                continue
            lo, hi = math.floor(probe.timestamp()), math.ceil(nxt.timestamp())
            while hi - lo > 1:  # offset(lo) is the old offset, offset(hi) the new one
                mid = (lo + hi) // 2
                if self._offset(datetime.fromtimestamp(mid, UTC)) == offset:
                    lo = mid
                else:
                    hi = mid
            change = datetime.fromtimestamp(hi, UTC)
            yield run_start, change, offset
            run_start, offset, probe = change, self._offset(change), change
        yield run_start, u1, offset


def calendar() -> Schedule:
    """Calendar time in UTC (24/7): the schedule of SLA policies that ignore business hours."""
    return Schedule.always_open()
