"""Erlang C: the M/M/N queue that staffing and expected-wait estimates rest on. No ORM here.

With A = arrivals × AHT / interval (the offered load in Erlangs) and N servers (N > A):

- P(wait) = C(N, A), computed through the Erlang B recursion (stable for hundreds of agents);
- service level (answered within t) = 1 − P(wait) · exp(−(N − A) · t / AHT);
- average speed of answer = P(wait) · AHT / (N − A);
- occupancy = A / N.

`required_agents` is the smallest N meeting the service level, raised to meet a maximum
occupancy, then divided by (1 − shrinkage) and rounded up — the convention of pyworkforce,
whose published worked examples and a reference grid the tests check (../shared/data/erlang_c).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def traffic(calls: float, interval_s: float, aht_s: float) -> float:
    """Offered load in Erlangs."""
    if interval_s <= 0 or aht_s <= 0 or calls < 0:
        raise ValueError("calls must be ≥ 0, interval and AHT > 0.")
    return calls * aht_s / interval_s


def erlang_b(agents: int, load: float) -> float:
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def wait_probability(agents: int, load: float) -> float:
    """P(an arrival waits). 1.0 when the queue is unstable (N ≤ A): everyone waits."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    blocking = erlang_b(agents, load)
    return agents * blocking / (agents - load * (1 - blocking))


def service_level(agents: int, load: float, aht_s: float, target_s: float) -> float:
    """The share of arrivals answered within `target_s`."""
    if agents <= load:
        return 0.0
    return 1 - wait_probability(agents, load) * math.exp(-(agents - load) * target_s / aht_s)


def average_speed_of_answer(agents: int, load: float, aht_s: float) -> float:
    """The mean wait over all arrivals, in seconds (infinite when N ≤ A)."""
    if agents <= load:
        return math.inf
    return wait_probability(agents, load) * aht_s / (agents - load)


@dataclass(frozen=True)
class Staffing:
    required_agents: int  # after occupancy cap and shrinkage
    raw_agents: int  # on the phones: before shrinkage
    service_level: float
    waiting_probability: float
    occupancy: float
    average_speed_of_answer_s: float
    traffic_erlangs: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "required_agents": self.required_agents,
            "raw_agents": self.raw_agents,
            "service_level": self.service_level,
            "waiting_probability": self.waiting_probability,
            "occupancy": self.occupancy,
            "average_speed_of_answer_s": self.average_speed_of_answer_s,
            "traffic_erlangs": self.traffic_erlangs,
        }


def required_agents(
    calls: float,
    interval_s: float,
    aht_s: float,
    target_s: float,
    target_service_level: float,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
) -> Staffing:
    """The smallest staffing that answers `target_service_level` of contacts within `target_s`,
    keeps occupancy at or under `max_occupancy`, and allows for `shrinkage` (breaks, training)."""
    if not 0 < target_service_level <= 1 or not 0 < max_occupancy <= 1 or not 0 <= shrinkage < 1:
        raise ValueError("service level and max occupancy in (0, 1]; shrinkage in [0, 1).")
    load = traffic(calls, interval_s, aht_s)
    agents = max(1, math.floor(load) + 1)
    while service_level(agents, load, aht_s, target_s) < target_service_level:
        agents += 1
    if load / agents > max_occupancy:
        agents = math.ceil(load / max_occupancy)
    return Staffing(
        required_agents=math.ceil(agents / (1 - shrinkage) - 1e-9),
        raw_agents=agents,
        service_level=service_level(agents, load, aht_s, target_s),
        waiting_probability=wait_probability(agents, load),
        occupancy=load / agents,
        average_speed_of_answer_s=average_speed_of_answer(agents, load, aht_s),
        traffic_erlangs=load,
    )
