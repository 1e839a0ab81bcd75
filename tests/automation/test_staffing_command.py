"""`storedesk staffing --json` against every row of ../shared/data/erlang_c."""

from __future__ import annotations

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def staffing(*args: str) -> dict:
    out = StringIO()
    call_command("staffing", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def rows(shared_dir, name):
    with (shared_dir / "data" / "erlang_c" / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_it_agrees_with_the_reference_grid_on_every_row(shared_dir):
    grid = rows(shared_dir, "erlang_c_reference_grid.csv")
    disagreements = []
    for row in grid:
        got = staffing(
            "--calls", row["calls_per_interval"],
            "--interval-s", row["interval_s"],
            "--aht-s", row["aht_s"],
            "--target-s", row["target_answer_s"],
            "--sl", row["target_service_level"],
        )  # fmt: skip
        expected = {
            "required_agents": int(row["required_agents"]),
            "service_level": float(row["service_level_at_required"]),
            "waiting_probability": float(row["pw_at_required"]),
            "occupancy": float(row["occupancy_at_required"]),
        }
        if {key: got[key] for key in expected} != expected:
            disagreements.append((row, got))
    assert len(grid) == 270
    assert disagreements == []


@pytest.mark.parametrize("case", [0, 1])
def test_it_reproduces_the_published_cases(shared_dir, case):
    row = rows(shared_dir, "erlang_c_published_cases.csv")[case]
    got = staffing(
        "--calls", row["calls_per_interval"],
        "--interval-s", str(float(row["interval_min"]) * 60),
        "--aht-s", str(float(row["aht_min"]) * 60),
        "--target-s", row["target_answer_s"],
        "--sl", row["target_service_level"],
        "--max-occupancy", row["max_occupancy"],
        "--shrinkage", row["shrinkage"],
    )  # fmt: skip
    assert (got["raw_agents"], got["required_agents"]) == (
        int(row["expected_raw_agents"]),
        int(row["expected_agents_with_shrinkage"]),
    )
    assert round(got["service_level"], 3) == float(row["expected_service_level"])
    assert round(got["occupancy"], 3) == float(row["expected_occupancy"])
    assert round(got["waiting_probability"], 3) == float(row["expected_wait_probability"])


def test_it_refuses_an_impossible_target():
    with pytest.raises(CommandError, match="service level"):
        staffing("--calls", "10", "--interval-s", "1800", "--aht-s", "180", "--target-s", "20", "--sl", "1.2")
