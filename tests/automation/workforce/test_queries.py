"""Specs for the workforce reads: arrivals per channel and half hour from one SQL aggregate
(plus imported history), the local-week history, the forecast and the week plan against the
schedule — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from storedesk.automation.actions.volumes import do_import_contact_volume
from storedesk.automation.wait import DEFAULT_AHT_S, LIVE_CHANNELS
from storedesk.automation.workforce.forecast import SEASONAL_NAIVE
from storedesk.automation.workforce.queries import (
    WEEK,
    arrival_buckets,
    build_forecast,
    history,
    week_plan,
)
from storedesk.automation.workforce.staffing import Targets, interval_need
from tests.automation.factories import ShiftFactory
from tests.factories import ConversationFactory

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # Wednesday; this week starts Monday 16 November
MONDAYS = [datetime(2026, 10, 26, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC)]


@pytest.fixture(autouse=True)
def frozen():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def store(acme):
    acme.timezone = "Europe/London"  # GMT since 25 October: local = UTC in these weeks
    acme.save()
    return acme


@pytest.fixture
def weekly(store):
    """The same three weeks: two chats at Monday 10:00–10:29, one at 10:45, an email Tuesday 09:10."""
    for monday in MONDAYS:
        for offset, channel in [(timedelta(hours=10), "chat"), (timedelta(hours=10, minutes=29), "chat"),
                                (timedelta(hours=10, minutes=45), "chat"), (timedelta(days=1, hours=9, minutes=10), "email")]:  # fmt: skip
            ConversationFactory(store=store, channel=channel, created_at=monday + offset)
    return store


def test_arrivals_are_counted_per_channel_and_half_hour(weekly, django_assert_num_queries):
    with django_assert_num_queries(2):  # conversations, imported volumes
        rows = arrival_buckets(weekly.pk, MONDAYS[0], MONDAYS[0] + timedelta(days=7))
    assert sorted(rows) == [
        ("chat", datetime(2026, 10, 26, 10, 0, tzinfo=UTC), 2),
        ("chat", datetime(2026, 10, 26, 10, 30, tzinfo=UTC), 1),
        ("email", datetime(2026, 10, 27, 9, 0, tzinfo=UTC), 1),
    ]


def test_imported_volumes_join_the_history(store, olivia):
    do_import_contact_volume(olivia, store, [("phone", datetime(2026, 11, 10, 14, 30, tzinfo=UTC), 7)], source="csv")
    do_import_contact_volume(olivia, store, [("phone", datetime(2026, 11, 10, 14, 30, tzinfo=UTC), 5)], source="csv")
    start, series = history(store, date(2026, 11, 16))
    assert start == date(2026, 11, 9)
    assert series == {"phone": [0.0] * 77 + [5.0] + [0.0] * (WEEK - 78)}


def test_history_starts_at_the_first_contact_week(weekly):
    start, series = history(weekly, date(2026, 11, 16))
    assert start == date(2026, 10, 26)
    assert sorted(series) == ["chat", "email"]
    assert len(series["chat"]) == 3 * WEEK
    for week in range(3):
        assert series["chat"][week * WEEK + 20 : week * WEEK + 22] == [2.0, 1.0]
        assert series["email"][week * WEEK + 48 + 18] == 1.0
    assert sum(series["chat"]) == 9 and sum(series["email"]) == 3


def test_a_repeating_history_forecasts_itself_with_zero_backtest_error(weekly):
    forecast = build_forecast(weekly, 2)
    assert forecast.start == date(2026, 11, 16) and forecast.history_weeks == 3
    chat = next(c for c in forecast.channels if c.channel == "chat")
    assert chat.model == SEASONAL_NAIVE
    assert [(s.model, s.mae) for s in chat.backtest.scores] == [
        ("seasonal_naive", 0.0),
        ("holt_winters", pytest.approx(0.0, abs=1e-9)),
    ]
    assert chat.values[WEEK + 20 : WEEK + 22] == [2.0, 1.0]
    assert sum(chat.values) == 6.0


def test_the_week_plan_staffs_the_forecast_and_counts_the_schedule(weekly, ana, ben, django_assert_num_queries):
    monday = date(2026, 11, 23)
    # Ana Monday 09:00–11:00, Ben Monday 10:30–12:00; a shift last week is not counted.
    ShiftFactory(
        store=weekly,
        user=ana,
        starts_at=datetime(2026, 11, 23, 9, tzinfo=UTC),
        ends_at=datetime(2026, 11, 23, 11, tzinfo=UTC),
    )
    ShiftFactory(
        store=weekly,
        user=ben,
        starts_at=datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
        ends_at=datetime(2026, 11, 23, 12, tzinfo=UTC),
    )
    ShiftFactory(store=weekly, user=ben, starts_at=datetime(2026, 11, 16, 10, tzinfo=UTC), ends_at=datetime(2026, 11, 16, 12, tzinfo=UTC))  # fmt: skip
    plan = week_plan(weekly, monday)
    targets = Targets()
    need = interval_need({"chat": 2.0}, DEFAULT_AHT_S, set(LIVE_CHANNELS), targets).required
    assert plan.required[20] == need == 3  # 0.4 Erlang: 2 agents for 80 % in 60 s, ÷ (1 − 0.3) → 3
    assert plan.required[21] == interval_need({"chat": 1.0}, DEFAULT_AHT_S, set(LIVE_CHANNELS), targets).required == 2
    assert (
        plan.required[48 + 18]
        == interval_need({"email": 1.0}, DEFAULT_AHT_S, set(LIVE_CHANNELS), targets).required
        == 1
    )
    assert sum(1 for r in plan.required if r) == 3
    assert plan.scheduled[17:25] == [0, 1, 1, 1, 2, 1, 1, 0]
    assert plan.contacts[20] == 2.0
    assert [(r.first, r.end, r.missing) for r in plan.short] == [(20, 21, 2), (66, 67, 1)]
    # Ben half an hour earlier covers 10:00 better and leaves 10:30 covered.
    assert [(s.shift.user_id, s.starts_at, s.ends_at, s.fixed) for s in plan.suggestions] == [
        (ben.pk, datetime(2026, 11, 23, 10, tzinfo=UTC), datetime(2026, 11, 23, 11, 30, tzinfo=UTC), 1)
    ]
    # Cached forecast: the next plan reads the business hours and the shifts only.
    with django_assert_num_queries(2):
        week_plan(weekly, monday)


def test_an_import_or_new_targets_change_the_plan_at_once(weekly, olivia, django_capture_on_commit_callbacks):
    from storedesk.automation.actions.shifts import do_save_staffing_targets

    monday = date(2026, 11, 23)
    assert week_plan(weekly, monday).required[20] == 3
    do_save_staffing_targets(olivia, weekly, service_level=0.8, target_s=60, max_occupancy=0.85, shrinkage=0.0)
    assert week_plan(weekly, monday).required[20] == 2
    with django_capture_on_commit_callbacks(execute=True):
        do_import_contact_volume(olivia, weekly, [("chat", datetime(2026, 11, 9, 10, 0, tzinfo=UTC), 20)])
    # 2 + 20 chats last Monday at 10:00: seasonal naive (chosen on the backtest) now forecasts 22.
    plan = week_plan(weekly, monday)
    assert plan.contacts[20] == 22.0 and plan.required[20] > 3
