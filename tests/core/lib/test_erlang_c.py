"""Erlang C against the reference grid (270 rows, three independent implementations agree to
5.6e-16) and the two published worked examples, from ../shared/data/erlang_c."""

from __future__ import annotations

import csv
import math

import pytest

from storedesk.core.lib.erlang_c import (
    average_speed_of_answer,
    required_agents,
    service_level,
    traffic,
    wait_probability,
)


def rows(shared_dir, name):
    with (shared_dir / "data" / "erlang_c" / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_it_agrees_with_every_row_of_the_reference_grid(shared_dir):
    grid = rows(shared_dir, "erlang_c_reference_grid.csv")
    assert len(grid) == 270
    mismatches = []
    for row in grid:
        result = required_agents(
            calls=float(row["calls_per_interval"]),
            interval_s=float(row["interval_s"]),
            aht_s=float(row["aht_s"]),
            target_s=float(row["target_answer_s"]),
            target_service_level=float(row["target_service_level"]),
        )
        got = (
            result.required_agents,
            round(result.traffic_erlangs, 6),
            round(result.waiting_probability, 6),
            round(result.service_level, 6),
            round(result.occupancy, 6),
        )
        expected = (
            int(row["required_agents"]),
            float(row["traffic_erlangs"]),
            float(row["pw_at_required"]),
            float(row["service_level_at_required"]),
            float(row["occupancy_at_required"]),
        )
        if got != expected:
            mismatches.append((row, got))
        if row["service_level_at_required_minus_1"]:
            below = service_level(
                result.raw_agents - 1, result.traffic_erlangs, float(row["aht_s"]), float(row["target_answer_s"])
            )
            assert round(below, 6) == float(row["service_level_at_required_minus_1"])
    assert mismatches == []


@pytest.mark.parametrize("case", [0, 1])
def test_it_reproduces_the_published_cases_with_occupancy_cap_and_shrinkage(shared_dir, case):
    row = rows(shared_dir, "erlang_c_published_cases.csv")[case]
    result = required_agents(
        calls=float(row["calls_per_interval"]),
        interval_s=float(row["interval_min"]) * 60,
        aht_s=float(row["aht_min"]) * 60,
        target_s=float(row["target_answer_s"]),
        target_service_level=float(row["target_service_level"]),
        max_occupancy=float(row["max_occupancy"]),
        shrinkage=float(row["shrinkage"]),
    )
    assert (result.raw_agents, result.required_agents) == (
        int(row["expected_raw_agents"]),
        int(row["expected_agents_with_shrinkage"]),
    )
    assert round(result.service_level, 3) == float(row["expected_service_level"])
    assert round(result.occupancy, 3) == float(row["expected_occupancy"])
    assert round(result.waiting_probability, 3) == float(row["expected_wait_probability"])


def test_it_gives_the_textbook_numbers_for_ten_erlangs():
    load = traffic(calls=100, interval_s=1800, aht_s=180)
    assert load == 10.0
    assert round(wait_probability(14, load), 4) == 0.1741
    assert round(average_speed_of_answer(14, load, 180), 2) == 7.84  # 0.1741 × 180 s / (14 − 10)


def test_it_treats_an_overloaded_queue_as_everyone_waiting_forever():
    assert wait_probability(5, 5.0) == 1.0
    assert service_level(4, 5.0, 180, 20) == 0.0
    assert average_speed_of_answer(5, 5.0, 180) == math.inf


def test_it_needs_nobody_waiting_when_nothing_arrives():
    assert wait_probability(1, 0.0) == 0.0
    assert required_agents(0, 1800, 180, 20, 0.8).required_agents == 1


def test_it_refuses_nonsense_inputs():
    with pytest.raises(ValueError):
        required_agents(100, 1800, 180, 20, 1.5)
    with pytest.raises(ValueError):
        traffic(10, 0, 180)
