"""Choosing an agent for a conversation. Pure: `automation.actions.routing` gathers the
candidates and applies the choice; here only the decision and its explanation.

In order:
1. only online agents, with room under their capacity on the channel, in the required team,
   with every required skill (a rule's `required_skills`) are eligible;
2. among them, those matching the most preferred skills (the customer's language, `vip` for
   a VIP customer) — a preference, not a requirement: a French speaker when one is free,
   anyone otherwise;
3. the agent who last helped this customer, if still eligible (sticky);
4. otherwise the lowest load (open conversations on the channel ÷ capacity), then whoever
   was assigned longest ago (round robin), then the lowest id (a stable tie-break).

Every decision has a one-line reason for the audit log: "assigned to Ana: skill=fr, 2 open of 5".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction

from storedesk.automation.models import AgentStatus


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    status: str
    open_count: int  # open work on the channel
    capacity: int  # max open on the channel
    skills: frozenset[str] = frozenset()
    team_ids: frozenset[int] = frozenset()
    last_assigned_at: datetime | None = None

    @property
    def load(self) -> Fraction:
        return Fraction(self.open_count, self.capacity) if self.capacity > 0 else Fraction(1)


@dataclass(frozen=True)
class Request:
    team_id: int | None = None
    required_skills: frozenset[str] = frozenset()
    preferred_skills: frozenset[str] = frozenset()
    sticky_user_id: int | None = None
    exclude_user_ids: frozenset[int] = frozenset()
    rule_name: str = ""


@dataclass(frozen=True)
class Decision:
    user_id: int | None
    reason: str
    considered: int = 0  # eligible agents
    matched_skills: tuple[str, ...] = field(default=())


NEVER = datetime.min.replace(tzinfo=UTC)  # never assigned: first in the round robin


def choose(request: Request, candidates: Sequence[Candidate]) -> Decision:
    online = [c for c in candidates if c.status == AgentStatus.ONLINE and c.user_id not in request.exclude_user_ids]
    if not online:
        return Decision(None, "no agent online")
    in_team = [c for c in online if request.team_id is None or request.team_id in c.team_ids]
    if not in_team:
        return Decision(None, "no agent of the team online")
    skilled = [c for c in in_team if request.required_skills <= c.skills]
    if not skilled:
        return Decision(None, f"no online agent with skill {'+'.join(sorted(request.required_skills))}")
    with_room = [c for c in skilled if c.open_count < c.capacity]
    if not with_room:
        return Decision(None, f"all {len(skilled)} eligible agents at capacity")
    best_match = max(len(request.preferred_skills & c.skills) for c in with_room)
    eligible = [c for c in with_room if len(request.preferred_skills & c.skills) == best_match]
    sticky = next((c for c in eligible if c.user_id == request.sticky_user_id), None)
    if sticky is not None:
        chosen, why = sticky, "helped this customer last"
    else:
        chosen = min(eligible, key=lambda c: (c.load, c.last_assigned_at or NEVER, c.user_id))
        why = "least loaded" if len(eligible) > 1 else "only eligible agent"
        if len(eligible) > 1 and all(c.load == chosen.load for c in eligible):
            why = f"round robin among {len(eligible)}"
    matched = tuple(sorted((request.required_skills | request.preferred_skills) & chosen.skills))
    parts = [f"rule {request.rule_name!r}"] if request.rule_name else []
    if matched:
        parts.append("skill=" + ",".join(matched))
    parts += [f"{chosen.open_count} open of {chosen.capacity}", why]
    return Decision(chosen.user_id, f"assigned to {chosen.name}: " + ", ".join(parts), len(eligible), matched)
