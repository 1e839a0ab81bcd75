"""The demo's workforce planning: eight weeks of imported history and shifts this week and
next, so the coverage page has a chart for next week with short intervals to show."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.cache import cache

from storedesk.automation.demo import WEEK as DEMO_WEEK
from storedesk.automation.models import ContactVolume, Shift
from storedesk.automation.workforce.demo import load_demo_workforce
from storedesk.automation.workforce.queries import week_plan
from tests.automation.factories import BusinessHoursFactory

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


def test_it_loads_history_and_shifts_for_a_coverage_chart(acme, olivia, leo, ana, ben):
    acme.timezone = "Europe/London"
    acme.save()
    BusinessHoursFactory(store=acme, week=DEMO_WEEK)
    result = load_demo_workforce(acme, lead=leo, agents=[ana, ben])
    assert result["shifts"] == Shift.objects.filter(store=acme).count() == 2 * (5 * 4 + 1)
    assert result["imported_intervals"] == ContactVolume.objects.filter(store=acme).count() > 1000
    first = ContactVolume.objects.order_by("interval_start").first().interval_start
    assert first >= datetime(2026, 9, 21, tzinfo=UTC)  # eight weeks before this Monday, at most
    plan = week_plan(acme, date(2026, 11, 23))
    assert plan.forecast.history_weeks == 8
    assert {c.channel for c in plan.forecast.channels} == {"email", "chat", "phone", "social"}
    assert all(len(c.backtest.scores) == 2 for c in plan.forecast.channels)
    # Weekdays: four people × 8.5 hours (17 half hours); Saturday: Ben 10:00–16:00.
    assert sum(plan.scheduled) == 5 * 4 * 17 + 12
    assert max(plan.required) >= 3
    assert plan.short  # the demo shows understaffed intervals
    assert sum(plan.required[6 * 48 :]) == 0  # closed on Sunday
