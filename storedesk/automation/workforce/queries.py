"""Workforce planning reads: the arrival history (one SQL aggregate), a week's shifts, and the
week plan that puts forecast, staffing, schedule and suggestions together for the coverage
page and `storedesk forecast`.

Contacts are new conversations (`Conversation.created_at`, as in the expected wait's arrival
rate), counted per channel and UTC half hour by the database, plus imported history
(`ContactVolume`), then laid on the store's local week grid. History: up to `HISTORY_WEEKS` whole weeks before the current week, starting at the
week of the store's first conversation. The per-channel forecasts are cached (they only change
with a new week or an import); staffing under the current hours and targets, and the shifts,
are computed on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Min, Value, When
from django.db.models.functions import ExtractMinute, TruncHour
from django.utils import timezone

from storedesk.automation import wait
from storedesk.automation.models import ContactVolume, Shift
from storedesk.automation.workforce import coverage, intervals
from storedesk.automation.workforce.forecast import ChannelForecast, forecast_channel
from storedesk.automation.workforce.staffing import IntervalNeed, Targets, required_per_interval
from storedesk.conversations.models import Conversation
from storedesk.core.models import Store

HISTORY_WEEKS = 8
HOLDOUT_WEEKS = 1
WEEK = 7 * intervals.SLOTS_PER_DAY
CACHE_SECONDS = 6 * 3600  # the history only changes with a new week or an import


def arrival_buckets(store_id: int, since: datetime, until: datetime) -> list[tuple[str, datetime, int]]:
    """(channel, UTC half-hour start, conversations) for conversations created in [since, until).
    One GROUP BY over `conv_store_created_idx` (store_id, created_at)."""
    rows = (
        Conversation.objects.filter(store_id=store_id, created_at__gte=since, created_at__lt=until)
        .annotate(hour=TruncHour("created_at", tzinfo=UTC), minute=ExtractMinute("created_at", tzinfo=UTC))
        .annotate(half=Case(When(minute__gte=30, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .values("channel", "hour", "half")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = []
    for row in rows:
        hour = row["hour"] if timezone.is_aware(row["hour"]) else row["hour"].replace(tzinfo=UTC)
        out.append((row["channel"], hour + timedelta(minutes=30 * row["half"]), row["n"]))
    imported = ContactVolume.objects.filter(
        store_id=store_id, interval_start__gte=since, interval_start__lt=until
    ).values_list("channel", "interval_start", "contacts")
    out.extend(imported)
    return out


def first_arrival(store_id: int) -> datetime | None:
    """The first contact: a conversation or an imported interval."""
    firsts = [
        Conversation.objects.filter(store_id=store_id).aggregate(first=Min("created_at"))["first"],
        ContactVolume.objects.filter(store_id=store_id).aggregate(first=Min("interval_start"))["first"],
    ]
    return min((f for f in firsts if f is not None), default=None)


def week_shifts(store_id: int, monday: date, zone: ZoneInfo) -> list[Shift]:
    """Shifts overlapping the local week from `monday`, with their agents, in order."""
    start = intervals.slot_start(monday, 0, zone)
    end = intervals.slot_start(monday, WEEK, zone)
    return list(
        Shift.objects.filter(
            store_id=store_id, starts_at__gte=start - Shift.MAX_LENGTH, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("user")
        .order_by("starts_at", "user_id", "id")
    )


def targets_for(store: Store) -> Targets:
    saved = store.settings.get("workforce") or {}
    defaults = Targets()
    return Targets(
        service_level=float(saved.get("service_level", defaults.service_level)),
        target_s=float(saved.get("target_s", defaults.target_s)),
        max_occupancy=float(saved.get("max_occupancy", defaults.max_occupancy)),
        shrinkage=float(saved.get("shrinkage", defaults.shrinkage)),
    )


# How far ahead a week can be planned: the forecast is fitted through the week shown, so each
# week further costs a week more of forecast and Erlang C solves.
WEEKS_AHEAD = 12


def current_monday(store: Store, now: datetime | None = None) -> date:
    zone = ZoneInfo(store.timezone or "UTC")
    return intervals.week_start((now or timezone.now()).astimezone(zone).date())


@dataclass(frozen=True)
class Forecast:
    """Forecasts from `start` (this week's Monday) for `weeks` weeks, per channel."""

    start: date
    weeks: int
    history_start: date | None  # None: no history
    history_weeks: int
    channels: list[ChannelForecast]
    required: list[IntervalNeed]  # per interval of the horizon
    open_flags: list[bool]
    targets: Targets


def history(store: Store, this_monday: date, weeks: int = HISTORY_WEEKS) -> tuple[date | None, dict[str, list[float]]]:
    """The whole local weeks before `this_monday` since the store's first conversation
    (at most `weeks`), per channel with any contact."""
    zone = ZoneInfo(store.timezone or "UTC")
    first = first_arrival(store.pk)
    if first is None:
        return None, {}
    start = max(this_monday - timedelta(weeks=weeks), intervals.week_start(first.astimezone(zone).date()))
    count = (this_monday - start).days // 7
    if count <= 0:
        return None, {}
    buckets = arrival_buckets(
        store.pk, intervals.slot_start(start, 0, zone), intervals.slot_start(this_monday, 0, zone)
    )
    channels = sorted({channel for channel, _, _ in buckets})
    return start, intervals.fold(buckets, start, count, zone, channels)


def _version_key(store_id: int) -> str:
    return f"storedesk:workforce:{store_id}:history-version"


def invalidate_forecast(store_id: int) -> None:
    """Forget the store's cached forecasts (after an import of contact history)."""
    try:
        cache.incr(_version_key(store_id))
    except ValueError:
        cache.set(_version_key(store_id), 2, None)


def channel_forecasts(store: Store, this_monday: date, weeks: int) -> tuple[date | None, int, list[ChannelForecast]]:
    """(history start, history weeks, per-channel forecasts from `this_monday` for `weeks` weeks).
    The history is whole weeks before `this_monday`, so the result only changes with a new week
    or an import: cached for `CACHE_SECONDS` under a key with the Monday and a history version."""
    version = cache.get_or_set(_version_key(store.pk), 1, None)
    key = f"storedesk:workforce:{store.pk}:{this_monday}:{weeks}:{version}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    start, series = history(store, this_monday)
    horizon = weeks * WEEK
    channels = [forecast_channel(channel, values, horizon, HOLDOUT_WEEKS) for channel, values in series.items()]
    result = (start, len(next(iter(series.values()))) // WEEK if series else 0, channels)
    cache.set(key, result, CACHE_SECONDS)
    return result


def build_forecast(store: Store, weeks: int, now: datetime | None = None) -> Forecast:
    """Forecast this week and the next `weeks - 1` weeks from the history (cached), with the
    agents required per interval under the store's current hours and targets (not cached)."""
    this_monday = current_monday(store, now)
    zone = ZoneInfo(store.timezone or "UTC")
    start, history_weeks, channels = channel_forecasts(store, this_monday, weeks)
    horizon = weeks * WEEK
    schedule = wait.store_schedule(store)
    open_flags = [schedule.is_open(intervals.slot_start(this_monday, i, zone)) for i in range(horizon)]
    targets = targets_for(store)
    required = required_per_interval(
        {c.channel: c.values for c in channels},
        open_flags,
        {c.channel: wait.aht_for(store, c.channel) for c in channels},
        set(wait.LIVE_CHANNELS),
        targets,
    )
    return Forecast(
        start=this_monday,
        weeks=weeks,
        history_start=start,
        history_weeks=history_weeks,
        channels=channels,
        required=required,
        open_flags=open_flags,
        targets=targets,
    )


@dataclass(frozen=True)
class Suggestion:
    shift: Shift
    starts_at: datetime
    ends_at: datetime
    fixed: int


@dataclass(frozen=True)
class WeekPlan:
    monday: date
    zone: ZoneInfo
    forecast: Forecast
    contacts: list[float]  # all channels, per interval of the week
    required: list[int]
    scheduled: list[int]
    open_flags: list[bool]
    shifts: list[Shift]
    short: list[coverage.ShortRange]
    suggestions: list[Suggestion]

    @property
    def missing(self) -> int:
        return coverage.missing(self.required, self.scheduled)


def week_plan(store: Store, monday: date, now: datetime | None = None) -> WeekPlan:
    """Required vs scheduled agents for the local week from `monday` (this week up to
    WEEKS_AHEAD weeks ahead; other weeks are brought into that range)."""
    zone = ZoneInfo(store.timezone or "UTC")
    this_monday = current_monday(store, now)
    monday = min(max(intervals.week_start(monday), this_monday), this_monday + timedelta(weeks=WEEKS_AHEAD))
    offset = (monday - this_monday).days // 7
    forecast = build_forecast(store, offset + 1, now)
    window = slice(offset * WEEK, (offset + 1) * WEEK)
    required = [need.required for need in forecast.required[window]]
    contacts = [sum(c.values[i] for c in forecast.channels) for i in range(window.start, window.stop)]
    shifts = week_shifts(store.pk, monday, zone)
    spans = [
        coverage.Span(
            s.pk, intervals.slot_index(s.starts_at, monday, zone), intervals.slot_index(s.ends_at, monday, zone)
        )
        for s in shifts
    ]
    scheduled = coverage.scheduled_counts(spans, WEEK)
    by_id = {s.pk: s for s in shifts}
    suggestions = [
        Suggestion(
            shift=by_id[move.key],
            starts_at=by_id[move.key].starts_at + timedelta(minutes=30 * move.offset),
            ends_at=by_id[move.key].ends_at + timedelta(minutes=30 * move.offset),
            fixed=move.fixed,
        )
        for move in coverage.suggest_moves(required, spans)
    ]
    return WeekPlan(
        monday=monday,
        zone=zone,
        forecast=forecast,
        contacts=contacts,
        required=required,
        scheduled=scheduled,
        open_flags=forecast.open_flags[window],
        shifts=shifts,
        short=coverage.short_ranges(required, scheduled),
        suggestions=suggestions,
    )
