"""The planning grid: weeks of 30-minute intervals in a store's local time, Monday 00:00 first.
Pure (zoneinfo only).

Seasonality follows the wall clock, so a week is always 7 × 48 intervals: on a DST change the
interval 01:00–01:30 that does not happen is empty, and the two real half hours of a repeated
one are counted together. Contacts arrive in UTC buckets (`queries.arrival_buckets`) and are
placed by their local wall time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SLOTS_PER_DAY = 48
SLOT = timedelta(minutes=30)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def week_start(day: date) -> date:
    """The Monday on or before `day`."""
    return day - timedelta(days=day.weekday())


def slot_index(moment: datetime, monday: date, zone: ZoneInfo) -> int:
    """The interval of `moment` counted from `monday` 00:00 local (may be negative or past the range)."""
    local = moment.astimezone(zone)
    return (local.date() - monday).days * SLOTS_PER_DAY + local.hour * 2 + local.minute // 30


def slot_start(monday: date, index: int, zone: ZoneInfo) -> datetime:
    """The UTC instant a wall-clock interval starts (the first one when the hour repeats)."""
    day = monday + timedelta(days=index // SLOTS_PER_DAY)
    minutes = (index % SLOTS_PER_DAY) * 30
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.astimezone(UTC)


def slot_label(index: int) -> str:
    """ "Mon 08:30" for an index within a week."""
    day, slot = divmod(index % (7 * SLOTS_PER_DAY), SLOTS_PER_DAY)
    return f"{DAYS[day]} {slot // 2:02d}:{(slot % 2) * 30:02d}"


def fold(
    buckets: Iterable[tuple[str, datetime, int]], monday: date, weeks: int, zone: ZoneInfo, channels: Iterable[str]
) -> dict[str, list[float]]:
    """Per channel, contacts per local interval for `weeks` weeks from `monday`: the sum of the
    (channel, UTC bucket start, count) rows that fall in each. Rows outside the range are ignored."""
    size = weeks * 7 * SLOTS_PER_DAY
    series = {channel: [0.0] * size for channel in channels}
    for channel, start, count in buckets:
        index = slot_index(start, monday, zone)
        if channel in series and 0 <= index < size:
            series[channel][index] += count
    return series
