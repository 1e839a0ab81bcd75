"""Specs for warming the intent model at start-up: in a background thread that start-up never
waits for, only when INTENT_WARM_AT_START is on, and only in processes that run the bot's jobs."""

from __future__ import annotations

import logging
import threading

import pytest
from django.test import override_settings

from storedesk.automation.intent import warm
from storedesk.core.management.commands import serve


@pytest.fixture
def warmed(monkeypatch):
    """Replaces the real (slow) load with a recorder; the thread names who ran it."""
    calls: list[str] = []
    monkeypatch.setattr(
        "storedesk.automation.intent.engine.warm", lambda: calls.append(threading.current_thread().name)
    )
    return calls


@override_settings(INTENT_WARM_AT_START=True)
def test_it_loads_the_model_in_a_background_thread(warmed):
    thread = warm.warm_in_background()
    assert thread is not None
    assert thread.daemon is True
    thread.join(5)
    assert warmed == ["intent-warm"]


@override_settings(INTENT_WARM_AT_START=False)
def test_it_does_nothing_when_turned_off(warmed):
    assert warm.warm_in_background() is None
    assert warmed == []


def test_the_test_settings_turn_it_off():
    from django.conf import settings

    assert settings.INTENT_WARM_AT_START is False


@override_settings(INTENT_WARM_AT_START=True)
def test_a_failure_is_logged_not_raised(monkeypatch, caplog):
    def broken():
        raise OSError("var dir read-only")

    monkeypatch.setattr("storedesk.automation.intent.engine.warm", broken)
    with caplog.at_level(logging.WARNING, logger="storedesk.automation.intent.warm"):
        warm.warm_in_background().join(5)
    assert [r.getMessage() for r in caplog.records] == ["could not warm the intent model"]


@pytest.mark.parametrize(
    ("runs_jobs", "immediate", "expected"),
    [(True, False, 1), (False, True, 1), (False, False, 0)],
)
def test_serve_warms_only_where_the_jobs_run(monkeypatch, runs_jobs, immediate, expected):
    started: list[bool] = []
    monkeypatch.setattr(warm, "warm_in_background", lambda: started.append(True))
    with override_settings(HUEY_IMMEDIATE=immediate):
        serve._warm_intent_model(runs_jobs=runs_jobs)
    assert len(started) == expected
