"""Specs for agents required per interval: the live queue agrees with the Erlang C module,
asynchronous work adds its workload, closed intervals need nobody and carry email over."""

from __future__ import annotations

import math

import pytest

from storedesk.automation.workforce.staffing import Targets, interval_need, required_per_interval
from storedesk.core.lib.erlang_c import required_agents

AHT = {"chat": 360.0, "phone": 300.0, "email": 600.0}
LIVE = {"chat", "phone"}


@pytest.mark.parametrize(
    ("calls", "sl", "target_s", "occupancy", "shrinkage"),
    [(100, 0.8, 20, 1.0, 0.0), (100, 0.8, 20, 0.85, 0.3), (12, 0.9, 30, 0.85, 0.25), (0.4, 0.8, 60, 0.85, 0.3),
     (250, 0.95, 10, 0.9, 0.1)],
)  # fmt: skip
def test_it_agrees_with_the_erlang_c_module_for_one_live_channel(calls, sl, target_s, occupancy, shrinkage):
    targets = Targets(service_level=sl, target_s=target_s, max_occupancy=occupancy, shrinkage=shrinkage)
    need = interval_need({"chat": calls}, AHT, LIVE, targets)
    expected = required_agents(calls, 1800, 360, target_s, sl, occupancy, shrinkage)
    assert need.required == expected.required_agents
    assert need.live_agents == expected.raw_agents


def test_it_pools_live_channels_at_their_weighted_handling_time():
    targets = Targets(0.8, 20, 1.0, 0.0)
    need = interval_need({"chat": 60, "phone": 40}, AHT, LIVE, targets)
    weighted = (60 * 360 + 40 * 300) / 100
    assert need.required == required_agents(100, 1800, weighted, 20, 0.8).required_agents
    assert need.live_contacts == 100


def test_it_adds_async_workload_over_max_occupancy_before_shrinkage():
    targets = Targets(0.8, 60, 0.8, 0.2)
    # 12 emails × 600 s ÷ 1800 s = 4 agents of work; ÷ 0.8 occupancy = 5; ÷ 0.8 on the queue = 6.25 → 7.
    need = interval_need({"email": 12}, AHT, LIVE, targets)
    assert (need.live_agents, need.async_agents, need.required) == (0, 5.0, 7)
    both = interval_need({"email": 12, "chat": 10}, AHT, LIVE, targets)
    live = required_agents(10, 1800, 360, 60, 0.8, 0.8).raw_agents
    assert both.required == math.ceil((live + 5.0) / 0.8)


def test_it_needs_nobody_without_contacts():
    assert interval_need({"chat": 0.0, "email": 0.0}, AHT, LIVE, Targets()).required == 0


def test_closed_intervals_need_nobody_and_share_the_night_email_over_the_opening():
    targets = Targets(0.8, 60, 1.0, 0.0)
    forecasts = {"email": [3.0, 3.0, 0.0, 0.0, 0.0], "chat": [5.0, 5.0, 0.0, 0.0, 0.0]}
    needs = required_per_interval(forecasts, [False, False, True, True, True], AHT, LIVE, targets, spread=2)
    assert [n.required for n in needs[:2]] == [0, 0]
    # 6 night emails over the first 2 open intervals: 3 each × 600 s ÷ 1800 s = 1 agent; the closed chats are gone.
    assert [(n.async_contacts, n.async_agents, n.live_contacts) for n in needs[2:]] == [
        (3.0, 1.0, 0),
        (3.0, 1.0, 0),
        (0.0, 0.0, 0),
    ]
    assert [n.required for n in needs] == [0, 0, 1, 1, 0]


def test_it_rejects_impossible_targets():
    with pytest.raises(ValueError, match="shrinkage"):
        Targets(shrinkage=1.0)
    with pytest.raises(ValueError, match="answer time"):
        Targets(target_s=0)
