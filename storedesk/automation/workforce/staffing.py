"""Agents required per interval from the forecast contacts. Pure; Erlang C from core.lib.erlang_c.

Agents are blended (routing gives them every channel), so per interval:

- the **live** channels (chat, phone: a customer holds on) form one Erlang C queue: their
  contacts together, at their volume-weighted handling time, must meet the target service
  level within the answer time and stay under the maximum occupancy —
  `erlang_c.required_agents(...).raw_agents`;
- the **asynchronous** channels (email, social, SMS) add their workload (contacts × AHT ÷
  interval, in agents) ÷ maximum occupancy; work that arrives while the store is closed waits
  and is added to the next open interval;
- the sum is divided by (1 − shrinkage) and rounded up: paid agents on the schedule.

Closed intervals need nobody. With live contacts only, the result is exactly
`erlang_c.required_agents(...).required_agents`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storedesk.core.lib.erlang_c import required_agents

INTERVAL_S = 1800
SPREAD = 8  # open intervals (4 hours) that share the work carried over from closed time


@dataclass(frozen=True)
class Targets:
    service_level: float = 0.8  # share of live contacts answered within target_s
    target_s: float = 60
    max_occupancy: float = 0.85
    shrinkage: float = 0.3  # share of paid time off the queue (breaks, training, meetings)

    def __post_init__(self) -> None:
        if not 0 < self.service_level <= 1 or not 0 < self.max_occupancy <= 1 or not 0 <= self.shrinkage < 1:
            raise ValueError("service level and max occupancy in (0, 1]; shrinkage in [0, 1).")
        if self.target_s <= 0:
            raise ValueError("the answer time must be positive.")


@dataclass(frozen=True)
class IntervalNeed:
    live_contacts: float
    async_contacts: float  # including work carried over from closed intervals
    live_agents: int  # Erlang C, before shrinkage
    async_agents: float  # workload ÷ max occupancy, before shrinkage
    required: int  # on the schedule


def interval_need(
    contacts: Mapping[str, float],
    aht_s: Mapping[str, float],
    live_channels: set[str],
    targets: Targets,
    interval_s: float = INTERVAL_S,
) -> IntervalNeed:
    """Required agents for one open interval from its contacts per channel."""
    live = {c: v for c, v in contacts.items() if c in live_channels and v > 0}
    waiting = {c: v for c, v in contacts.items() if c not in live_channels and v > 0}
    live_contacts = sum(live.values())
    live_agents = 0
    if live_contacts > 0:
        aht = sum(v * aht_s[c] for c, v in live.items()) / live_contacts
        live_agents = required_agents(
            calls=live_contacts,
            interval_s=interval_s,
            aht_s=aht,
            target_s=targets.target_s,
            target_service_level=targets.service_level,
            max_occupancy=targets.max_occupancy,
        ).raw_agents
    async_agents = sum(v * aht_s[c] for c, v in waiting.items()) / interval_s / targets.max_occupancy
    on_queue = live_agents + async_agents
    required = math.ceil(on_queue / (1 - targets.shrinkage) - 1e-9) if on_queue > 0 else 0
    return IntervalNeed(live_contacts, sum(waiting.values()), live_agents, async_agents, required)


def required_per_interval(
    forecasts: Mapping[str, Sequence[float]],
    open_flags: Sequence[bool],
    aht_s: Mapping[str, float],
    live_channels: set[str],
    targets: Targets,
    interval_s: float = INTERVAL_S,
    spread: int = SPREAD,
) -> list[IntervalNeed]:
    """One `IntervalNeed` per interval. Live contacts while closed are dropped (the channel is
    off); asynchronous ones are shared by the next `spread` open intervals."""
    needs = []
    closed: dict[str, float] = {}  # async contacts since the last opening
    share: dict[str, float] = {}  # per open interval, while `left` > 0
    left = 0
    for i, is_open in enumerate(open_flags):
        contacts = {channel: values[i] for channel, values in forecasts.items()}
        if not is_open:
            for channel, value in contacts.items():
                if channel not in live_channels:
                    closed[channel] = closed.get(channel, 0.0) + value
            needs.append(IntervalNeed(0.0, 0.0, 0, 0.0, 0))
            continue
        if closed:
            share = {channel: value / spread for channel, value in closed.items()}
            closed, left = {}, spread
        if left > 0:
            for channel, value in share.items():
                contacts[channel] = contacts.get(channel, 0.0) + value
            left -= 1
        needs.append(interval_need(contacts, aht_s, live_channels, targets, interval_s))
    return needs
