"""The routing decision (pure): eligibility, preference, stickiness, load balance and round
robin, with fairness and capacity checked as properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from storedesk.automation.routing import Candidate, Request, choose

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def agent(user_id, name, open_count=0, capacity=5, status="online", skills=(), teams=(), last=None):
    return Candidate(
        user_id=user_id,
        name=name,
        status=status,
        open_count=open_count,
        capacity=capacity,
        skills=frozenset(skills),
        team_ids=frozenset(teams),
        last_assigned_at=last,
    )


ANA = agent(1, "Ana", open_count=2, skills={"fr"})
BEN = agent(2, "Ben", open_count=1)
LEO = agent(3, "Leo", open_count=0, status="away")


def test_it_explains_a_skill_match():
    decision = choose(Request(preferred_skills=frozenset({"fr"})), [ANA, BEN, LEO])
    assert (decision.user_id, decision.reason) == (1, "assigned to Ana: skill=fr, 2 open of 5, only eligible agent")


def test_it_takes_the_least_loaded_when_nobody_matches_the_preference():
    decision = choose(Request(preferred_skills=frozenset({"de"})), [ANA, BEN, LEO])
    assert (decision.user_id, decision.reason) == (2, "assigned to Ben: 1 open of 5, least loaded")


def test_it_compares_load_as_a_share_of_capacity():
    busy_but_big = agent(1, "Ana", open_count=4, capacity=10)  # 40 %
    small = agent(2, "Ben", open_count=1, capacity=2)  # 50 %
    assert choose(Request(), [busy_but_big, small]).user_id == 1


def test_it_goes_round_robin_on_equal_load():
    ana = agent(1, "Ana", last=T0 + timedelta(minutes=5))
    ben = agent(2, "Ben", last=T0)
    cai = agent(3, "Cai", last=None)
    decision = choose(Request(), [ana, ben, cai])
    assert (decision.user_id, decision.reason) == (3, "assigned to Cai: 0 open of 5, round robin among 3")


def test_it_sticks_to_the_agent_who_helped_last_while_they_have_room():
    assert choose(Request(sticky_user_id=1), [ANA, BEN]).reason == (
        "assigned to Ana: 2 open of 5, helped this customer last"
    )
    full_ana = replace(ANA, open_count=5)
    assert choose(Request(sticky_user_id=1), [full_ana, BEN]).user_id == 2


def test_it_requires_the_team_and_the_required_skills():
    social = agent(4, "Sol", skills={"social"}, teams={9})
    request = Request(team_id=9, required_skills=frozenset({"social"}), rule_name="Social")
    assert choose(request, [ANA, BEN, social]).reason == (
        "assigned to Sol: rule 'Social', skill=social, 0 open of 5, only eligible agent"
    )
    assert choose(Request(team_id=9), [ANA, BEN]).reason == "no agent of the team online"
    assert choose(Request(required_skills=frozenset({"de"})), [ANA, BEN]).reason == "no online agent with skill de"


def test_it_says_why_nobody_was_chosen():
    assert choose(Request(), [LEO]).reason == "no agent online"
    assert choose(Request(), [replace(BEN, open_count=5)]).reason == "all 1 eligible agents at capacity"
    assert choose(Request(exclude_user_ids=frozenset({1, 2})), [ANA, BEN]).user_id is None


# --- properties ------------------------------------------------------------------------------

candidates = st.lists(
    st.builds(
        Candidate,
        user_id=st.integers(1, 10_000),
        name=st.just("X"),
        status=st.sampled_from(["online", "online", "away", "offline"]),
        open_count=st.integers(0, 8),
        capacity=st.integers(0, 8),
        skills=st.frozensets(st.sampled_from(["fr", "de", "vip", "social"]), max_size=3),
        team_ids=st.frozensets(st.integers(1, 3), max_size=2),
        last_assigned_at=st.none() | st.integers(0, 600).map(lambda m: T0 + timedelta(minutes=m)),
    ),
    max_size=8,
    unique_by=lambda c: c.user_id,
)
requests = st.builds(
    Request,
    team_id=st.none() | st.integers(1, 3),
    required_skills=st.frozensets(st.sampled_from(["fr", "social"]), max_size=1),
    preferred_skills=st.frozensets(st.sampled_from(["fr", "de", "vip"]), max_size=2),
    sticky_user_id=st.none() | st.integers(1, 10_000),
    exclude_user_ids=st.frozensets(st.integers(1, 10_000), max_size=2),
)


@settings(max_examples=500, deadline=None)
@given(requests, candidates)
def test_it_only_ever_picks_an_online_agent_with_room_and_the_required_skills(request, pool):
    decision = choose(request, pool)
    if decision.user_id is None:
        assert not [
            c
            for c in pool
            if c.status == "online"
            and c.user_id not in request.exclude_user_ids
            and (request.team_id is None or request.team_id in c.team_ids)
            and request.required_skills <= c.skills
            and c.open_count < c.capacity
        ]
        return
    chosen = next(c for c in pool if c.user_id == decision.user_id)
    assert chosen.status == "online"
    assert chosen.open_count < chosen.capacity
    assert chosen.user_id not in request.exclude_user_ids
    assert request.required_skills <= chosen.skills
    assert request.team_id is None or request.team_id in chosen.team_ids


@settings(max_examples=500, deadline=None)
@given(requests, candidates)
def test_it_picks_the_least_loaded_of_the_best_skill_match_unless_sticky(request, pool):
    decision = choose(request, pool)
    if decision.user_id is None or decision.user_id == request.sticky_user_id:
        return
    chosen = next(c for c in pool if c.user_id == decision.user_id)
    rivals = [
        c
        for c in pool
        if c.status == "online"
        and c.user_id not in request.exclude_user_ids
        and (request.team_id is None or request.team_id in c.team_ids)
        and request.required_skills <= c.skills
        and c.open_count < c.capacity
        and len(request.preferred_skills & c.skills) == len(request.preferred_skills & chosen.skills)
    ]
    assert all(chosen.load <= rival.load for rival in rivals)
    assert all(
        len(request.preferred_skills & c.skills) <= len(request.preferred_skills & chosen.skills) for c in rivals
    )


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.integers(1, 4))
def test_it_shares_new_work_evenly_among_equal_agents(agents, rounds, capacity_factor):
    """Assign agents × rounds conversations one by one: everyone gets exactly `rounds`, and
    nobody ever goes over capacity."""
    capacity = rounds * capacity_factor
    pool = [agent(i, f"A{i}", capacity=capacity) for i in range(1, agents + 1)]
    clock = T0
    for _ in range(agents * rounds):
        decision = choose(Request(), pool)
        assert decision.user_id is not None
        clock += timedelta(seconds=1)
        pool = [
            replace(c, open_count=c.open_count + 1, last_assigned_at=clock) if c.user_id == decision.user_id else c
            for c in pool
        ]
    assert [c.open_count for c in pool] == [rounds] * agents
    assert choose(Request(), [replace(c, capacity=rounds) for c in pool]).user_id is None
