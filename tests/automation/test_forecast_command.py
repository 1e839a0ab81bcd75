"""`storedesk forecast --store … --weeks … --json`: the forecast per channel and interval from
next Monday, each model's backtest error, the model used and the agents required."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import CommandError, call_command

from tests.factories import ConversationFactory

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def history(acme):
    acme.timezone = "Europe/London"
    acme.save()
    # Weeks of 26 Oct, 2 and 9 Nov: 1, 2, 3 chats on Monday 10:00 (GMT = UTC then).
    for week, count in enumerate([1, 2, 3]):
        for _ in range(count):
            ConversationFactory(
                store=acme, channel="chat", created_at=datetime(2026, 10, 26, 10, 5, tzinfo=UTC) + timedelta(weeks=week)
            )
    return acme


def run(*args: str) -> str:
    out = StringIO()
    call_command("forecast", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_forecast_and_backtest_as_json(history):
    data = json.loads(run("--store", "acme", "--weeks", "2", "--json"))
    assert (data["store"], data["start"], data["weeks"], data["interval_minutes"]) == ("acme", "2026-11-23", 2, 30)
    assert data["history"] == {"start": "2026-10-26", "weeks": 3, "holdout_weeks": 1}
    assert len(data["interval_starts"]) == len(data["required_agents"]) == 2 * 336
    assert data["interval_starts"][20] == "2026-11-23T10:00:00+00:00"
    chat = data["channels"]["chat"]
    # Held out: the week of 9 Nov (3 chats); seasonal naive from the week before predicts 2.
    assert chat["backtest"]["seasonal_naive"] == {"mae": round(1 / 336, 4), "smape": round(100 * (2 * 1 / 5) / 336, 2)}
    assert set(chat["backtest"]) == {"seasonal_naive", "holt_winters"}
    assert chat["model"] in ("seasonal_naive", "holt_winters")
    assert len(chat["forecast"]) == 2 * 336
    assert data["required_agents"][20] >= 1
    assert data["targets"] == {"service_level": 0.8, "target_s": 60.0, "max_occupancy": 0.85, "shrinkage": 0.3}


def test_it_prints_a_table(history):
    text = run("--store", "acme")
    assert "history 3 week(s) from 2026-10-26" in text
    assert "chat" in text and "Mon 2026-11-23" in text and "Sun 2026-11-29" in text


def test_it_refuses_an_unknown_store_and_bad_weeks(history):
    with pytest.raises(CommandError, match="No store"):
        run("--store", "nope")
    with pytest.raises(CommandError, match="between 1 and 8"):
        run("--store", "acme", "--weeks", "9")
