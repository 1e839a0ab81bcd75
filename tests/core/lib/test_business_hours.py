"""Business hours: DST days in London and New York, holidays, and properties checked against a
brute-force minute-by-minute reference.

The DST examples use past transition dates (2025/2026): they are facts of the tz database that
no later rule change can move, unlike future dates. The library is pure (no clock), so nothing
needs freezing here.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from storedesk.core.lib.business_hours import NeverOpen, Schedule, ScheduleError, calendar, parse_hhmm

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
M = timedelta(minutes=1)

NINE_TO_FIVE = {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]]}
NINE_TO_FIVE |= {"thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]}
EVERY_DAY_9_17 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def schedule(week, tz="Europe/London", holidays=()):
    return Schedule.from_json({"timezone": tz, "week": week, "holidays": list(holidays)})


def sunday_only(spans, tz):
    return schedule({"sun": spans}, tz)


# --- plain weeks ----------------------------------------------------------------------------


def test_it_adds_time_within_one_open_interval():
    hours = schedule(NINE_TO_FIVE)
    start = datetime(2026, 1, 14, 10, 0, tzinfo=LONDON)  # Wednesday
    assert hours.add_business_time(start, 3 * H) == datetime(2026, 1, 14, 13, 0, tzinfo=LONDON)


def test_it_carries_over_the_night_and_the_weekend():
    hours = schedule(NINE_TO_FIVE)
    friday_4pm = datetime(2026, 1, 16, 16, 0, tzinfo=LONDON)
    assert hours.add_business_time(friday_4pm, 2 * H) == datetime(2026, 1, 19, 10, 0, tzinfo=LONDON)
    assert hours.business_time_between(friday_4pm, datetime(2026, 1, 19, 10, 0, tzinfo=LONDON)) == 2 * H


def test_it_starts_counting_at_opening_when_started_while_closed():
    hours = schedule(NINE_TO_FIVE)
    saturday = datetime(2026, 1, 17, 12, 0, tzinfo=LONDON)
    assert hours.add_business_time(saturday, 30 * M) == datetime(2026, 1, 19, 9, 30, tzinfo=LONDON)


def test_it_lands_at_closing_not_at_the_next_opening_when_time_runs_out_exactly():
    hours = schedule(NINE_TO_FIVE)
    start = datetime(2026, 1, 14, 16, 0, tzinfo=LONDON)
    assert hours.add_business_time(start, H) == datetime(2026, 1, 14, 17, 0, tzinfo=LONDON)


def test_it_returns_the_start_for_a_zero_duration_even_when_closed():
    hours = schedule(NINE_TO_FIVE)
    saturday = datetime(2026, 1, 17, 12, 0, tzinfo=LONDON)
    assert hours.add_business_time(saturday, timedelta(0)) == saturday


def test_it_counts_several_intervals_per_day():
    hours = schedule({"mon": [["13:30", "17:00"], ["09:00", "12:30"]]})
    monday = date(2026, 1, 12)
    a = datetime.combine(monday, time(8, 0), LONDON)
    assert hours.business_time_between(a, a + 12 * H) == 7 * H
    assert hours.add_business_time(a, 4 * H) == datetime.combine(monday, time(14, 0), LONDON)
    assert hours.is_open(datetime.combine(monday, time(12, 45), LONDON)) is False
    assert hours.next_open(datetime.combine(monday, time(12, 45), LONDON)) == datetime.combine(
        monday, time(13, 30), LONDON
    )


def test_it_gives_a_negative_duration_backwards():
    hours = schedule(NINE_TO_FIVE)
    a = datetime(2026, 1, 14, 10, 0, tzinfo=LONDON)
    assert hours.business_time_between(a + 2 * H, a) == -2 * H


def test_it_answers_is_open_and_next_open_at_the_edges():
    hours = schedule(NINE_TO_FIVE)
    nine = datetime(2026, 1, 14, 9, 0, tzinfo=LONDON)
    five = datetime(2026, 1, 14, 17, 0, tzinfo=LONDON)
    assert hours.is_open(nine) is True
    assert hours.is_open(nine - timedelta(microseconds=1)) is False
    assert hours.is_open(five) is False
    assert hours.next_open(nine) == nine
    assert hours.next_open(five) == datetime(2026, 1, 15, 9, 0, tzinfo=LONDON)


def test_it_returns_utc_results_for_any_input_zone():
    hours = schedule(NINE_TO_FIVE)
    start = datetime(2026, 1, 14, 5, 0, tzinfo=NEW_YORK)  # 10:00 in London
    result = hours.add_business_time(start, H)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 1, 14, 11, 0, tzinfo=UTC)


def test_it_refuses_naive_datetimes():
    hours = schedule(NINE_TO_FIVE)
    with pytest.raises(ValueError, match="timezone-aware"):
        hours.is_open(datetime(2026, 1, 14, 10, 0))  # noqa: DTZ001


# --- holidays ---------------------------------------------------------------------------------


def test_it_skips_a_closed_holiday():
    hours = schedule(NINE_TO_FIVE, holidays=[{"date": "2025-12-25"}, {"date": "2025-12-26"}])
    wednesday_4pm = datetime(2025, 12, 24, 16, 0, tzinfo=LONDON)
    assert hours.add_business_time(wednesday_4pm, 2 * H) == datetime(2025, 12, 29, 10, 0, tzinfo=LONDON)
    assert hours.is_open(datetime(2025, 12, 25, 12, 0, tzinfo=LONDON)) is False


def test_it_opens_only_the_partial_hours_of_a_partial_holiday():
    hours = schedule(NINE_TO_FIVE, holidays=[{"date": "2025-12-24", "open": [["09:00", "13:00"]]}])
    day = date(2025, 12, 24)
    assert (
        hours.business_time_between(
            datetime.combine(day, time(0), LONDON), datetime.combine(day + timedelta(days=1), time(0), LONDON)
        )
        == 4 * H
    )
    assert hours.is_open(datetime.combine(day, time(14), LONDON)) is False


def test_it_opens_on_a_holiday_that_falls_on_a_closed_weekday():
    hours = schedule(NINE_TO_FIVE, holidays=[{"date": "2025-12-27", "open": [["10:00", "12:00"]]}])  # a Saturday
    friday_5pm = datetime(2025, 12, 26, 17, 0, tzinfo=LONDON)
    assert hours.next_open(friday_5pm) == datetime(2025, 12, 27, 10, 0, tzinfo=LONDON)


def test_it_raises_when_a_schedule_is_never_open_again():
    hours = schedule({}, holidays=[{"date": "2025-12-27", "open": [["10:00", "12:00"]]}])
    after = datetime(2026, 1, 1, tzinfo=UTC)
    assert hours.next_open(after) is None
    with pytest.raises(NeverOpen):
        hours.add_business_time(after, M)
    assert hours.business_time_between(datetime(2025, 12, 1, tzinfo=UTC), after) == 2 * H


# --- DST: Europe/London (2026-03-29 01:00 GMT → 02:00 BST; 2026-10-25 02:00 BST → 01:00 GMT) ------


def test_it_counts_a_23_hour_spring_forward_day_in_london():
    hours = sunday_only([["00:00", "24:00"]], "Europe/London")
    assert (
        hours.business_time_between(
            datetime(2026, 3, 29, 0, 0, tzinfo=LONDON), datetime(2026, 3, 30, 0, 0, tzinfo=LONDON)
        )
        == 23 * H
    )


def test_it_counts_a_25_hour_fall_back_day_in_london():
    hours = sunday_only([["00:00", "24:00"]], "Europe/London")
    assert (
        hours.business_time_between(
            datetime(2026, 10, 25, 0, 0, tzinfo=LONDON), datetime(2026, 10, 26, 0, 0, tzinfo=LONDON)
        )
        == 25 * H
    )


def test_it_keeps_nine_to_five_eight_hours_on_both_london_change_days():
    hours = schedule(EVERY_DAY_9_17)
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        start = datetime.combine(day, time(9), LONDON)
        assert hours.add_business_time(start, 8 * H) == datetime.combine(day, time(17), LONDON)
    saturday_4pm = datetime(2026, 3, 28, 16, 0, tzinfo=LONDON)
    assert hours.add_business_time(saturday_4pm, 2 * H) == datetime(2026, 3, 29, 10, 0, tzinfo=LONDON)
    assert hours.add_business_time(saturday_4pm, 2 * H) == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)


def test_it_skips_the_missing_hour_inside_an_interval_in_london():
    hours = sunday_only([["00:30", "03:00"]], "Europe/London")
    start = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert hours.business_time_between(start, start + 24 * H) == 90 * M  # 00:30–01:00 GMT, 02:00–03:00 BST
    assert hours.add_business_time(start, 45 * M) == datetime(2026, 3, 29, 2, 15, tzinfo=LONDON)
    assert hours.is_open(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) is True  # 02:00 BST


def test_it_counts_the_repeated_hour_twice_in_london():
    hours = sunday_only([["01:00", "02:00"]], "Europe/London")
    start = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)  # 01:00 BST, the first 01:00
    assert hours.business_time_between(start - H, start + 3 * H) == 2 * H
    assert hours.add_business_time(start, 90 * M) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT
    assert hours.is_open(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) is True


# --- DST: America/New_York (2025-03-09 02:00 EST → 03:00 EDT; 2025-11-02 02:00 EDT → 01:00 EST) ----


def test_it_counts_23_and_25_hour_days_in_new_york():
    hours = sunday_only([["00:00", "24:00"]], "America/New_York")
    spring, fall = date(2025, 3, 9), date(2025, 11, 2)
    for day, expected in ((spring, 23 * H), (fall, 25 * H)):
        a = datetime.combine(day, time(0), NEW_YORK)
        b = datetime.combine(day + timedelta(days=1), time(0), NEW_YORK)
        assert hours.business_time_between(a, b) == expected


def test_it_skips_the_missing_hour_inside_an_interval_in_new_york():
    hours = sunday_only([["01:00", "04:00"]], "America/New_York")
    start = datetime.combine(date(2025, 3, 9), time(0), NEW_YORK)
    assert hours.business_time_between(start, start + 24 * H) == 2 * H
    assert hours.add_business_time(start, 90 * M) == datetime(2025, 3, 9, 3, 30, tzinfo=NEW_YORK)
    assert hours.next_open(datetime(2025, 3, 9, 6, 59, tzinfo=UTC)) == datetime(2025, 3, 9, 6, 59, tzinfo=UTC)


def test_it_counts_the_repeated_hour_twice_in_new_york():
    hours = sunday_only([["00:30", "01:30"]], "America/New_York")
    start = datetime.combine(date(2025, 11, 2), time(0), NEW_YORK)
    # 00:30–01:30 EDT (1 h), then the clock falls back to 01:00 EST: 01:00–01:30 EST (30 min).
    assert hours.business_time_between(start, start + 24 * H) == 90 * M
    segments = list(itertools.islice(hours.segments_from(start), 2))
    assert segments == [
        (datetime(2025, 11, 2, 4, 30, tzinfo=UTC), datetime(2025, 11, 2, 5, 30, tzinfo=UTC)),
        (datetime(2025, 11, 2, 6, 0, tzinfo=UTC), datetime(2025, 11, 2, 6, 30, tzinfo=UTC)),
    ]


def test_it_keeps_weekday_hours_across_the_new_york_change_weekend():
    hours = schedule(NINE_TO_FIVE, "America/New_York")
    friday_4pm = datetime(2025, 3, 7, 16, 0, tzinfo=NEW_YORK)
    monday_10am = datetime(2025, 3, 10, 10, 0, tzinfo=NEW_YORK)
    assert hours.add_business_time(friday_4pm, 2 * H) == monday_10am
    assert monday_10am.astimezone(UTC).hour == 14  # EDT now: the UTC hour moved, the local one did not


# --- parsing ------------------------------------------------------------------------------------


def test_it_round_trips_the_json_form():
    data = {
        "timezone": "America/New_York",
        "week": {"mon": [["09:00", "12:30"], ["13:30", "17:00"]], "sat": [["10:00", "24:00"]]},
        "holidays": [{"date": "2026-12-24", "open": [["09:00", "13:00"]]}, {"date": "2026-12-25"}],
    }
    assert Schedule.from_json(data).to_json() == data


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ({"mon": [["17:00", "09:00"]]}, "ends before it starts"),
        ({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, "overlap"),
        ({"mon": [["9am", "5pm"]]}, "not a time of day"),
        ({"mon": [["09:00", "24:30"]]}, "not a time of day"),
        ({"monday": [["09:00", "17:00"]]}, "Unknown weekday"),
    ],
)
def test_it_refuses_a_bad_schedule(week, message):
    with pytest.raises(ScheduleError, match=message):
        Schedule.from_json({"timezone": "UTC", "week": week})


def test_it_refuses_an_unknown_zone_and_a_bad_holiday():
    with pytest.raises(ScheduleError, match="Unknown time zone"):
        Schedule.from_json({"timezone": "Mars/Olympus", "week": {}})
    with pytest.raises(ScheduleError, match="needs a date"):
        Schedule.from_json({"timezone": "UTC", "week": {}, "holidays": [{"day": "2026-12-25"}]})


def test_it_treats_calendar_time_as_always_open():
    hours = calendar()
    start = datetime(2026, 3, 29, 0, 30, tzinfo=LONDON)
    # Real hours, not wall-clock ones: `start + 24 * H` on an aware London datetime would be
    # wall-clock arithmetic (00:30 the next day, only 23 real hours later on this date).
    assert hours.add_business_time(start, 24 * H) == start.astimezone(UTC) + 24 * H
    assert hours.business_time_between(start, start.astimezone(UTC) + 5 * H) == 5 * H
    assert hours.is_open(start) is True
    assert parse_hhmm("24:00") == 1440


# --- properties against a brute-force reference ---------------------------------------------------

# Days after 2026-01-01 around the DST changes of 2026 (March 8 and 29, April 5 at Lord Howe,
# October 4 and 25, November 1).
CHANGE_DAYS = [0, 65, 66, 84, 85, 93, 94, 275, 276, 296, 297, 303, 304]
ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns"]


@st.composite
def schedules(draw):
    """Random weeks of 0–3 intervals a day on a 15-minute grid, with random holidays, in zones
    with 1 h, 30 min and no DST changes and non-hour offsets."""
    tz = draw(st.sampled_from(ZONES))

    def day_spans():
        cuts = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
        spans = [(a * 15, b * 15) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
        return tuple(spans)

    week = [day_spans() for _ in range(7)]
    if not any(week):
        week[0] = ((540, 1020),)
    holidays = {}
    for _ in range(draw(st.integers(0, 3))):
        day = date(2026, 1, 1) + timedelta(days=draw(st.sampled_from(CHANGE_DAYS)) + draw(st.integers(-1, 3)))
        holidays[day] = day_spans()
    return Schedule(tz, week, holidays)


def reference_is_open(hours: Schedule, at: datetime) -> bool:
    """The definition, written out without the library: wall time inside an interval of its date."""
    local = at.astimezone(hours.tz)
    spans = hours.holidays.get(local.date(), hours.week[local.weekday()])
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in spans)


def reference_between(hours: Schedule, a: datetime, b: datetime) -> timedelta:
    """Open minutes in [a, b), one minute at a time (a on a whole minute)."""
    minutes = 0
    at = a
    while at < b:
        minutes += reference_is_open(hours, at)
        at += M
    return minutes * M


# Starts near those changes, on whole minutes so the minute-by-minute reference is exact.
instants = st.builds(
    lambda day, minute: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day, minutes=minute),
    st.sampled_from(CHANGE_DAYS),
    st.integers(0, 24 * 60 - 1),
)
durations = st.integers(0, 5 * 24 * 60).map(lambda minutes: minutes * M)
fine_durations = st.builds(
    timedelta, minutes=st.integers(0, 60 * 200), seconds=st.integers(0, 59), microseconds=st.integers(0, 999_999)
)

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(schedules(), instants, fine_durations)
def test_it_measures_back_exactly_what_it_added(hours, start, duration):
    end = hours.add_business_time(start, duration)
    assert hours.business_time_between(start, end) == duration


@PROPERTY
@given(schedules(), instants, durations)
def test_it_agrees_with_the_minute_by_minute_reference(hours, start, span):
    assert hours.business_time_between(start, start + span) == reference_between(hours, start, start + span)


@PROPERTY
@given(schedules(), instants, st.integers(0, 3 * 24 * 60))
def test_it_agrees_with_the_reference_on_is_open(hours, start, minutes):
    at = start + minutes * M
    assert hours.is_open(at) == reference_is_open(hours, at)


@PROPERTY
@given(schedules(), instants, st.integers(1, 2000))
def test_it_adds_to_the_minute_the_reference_reaches(hours, start, minutes):
    """Walk the reference minute by minute until `minutes` open minutes have passed."""
    at, counted = start, 0
    while counted < minutes:
        counted += reference_is_open(hours, at)
        at += M
        assume(at - start < timedelta(days=15))  # a sparse week: too slow for the reference
    assert hours.add_business_time(start, minutes * M) == at


@PROPERTY
@given(schedules(), instants, durations, durations)
def test_it_adds_monotonically_and_never_lands_in_closed_time(hours, start, d1, d2):
    short, long = sorted((d1, d2))
    end_short, end_long = hours.add_business_time(start, short), hours.add_business_time(start, long)
    assert end_short <= end_long
    if long:
        assert hours.is_open(end_long - timedelta(microseconds=1))


@PROPERTY
@given(schedules(), instants)
def test_it_opens_next_at_an_open_instant_with_nothing_open_before(hours, at):
    opens = hours.next_open(at)
    assert opens is not None
    assert opens >= at
    assert hours.is_open(opens)
    assert hours.business_time_between(at, opens) == timedelta(0)
