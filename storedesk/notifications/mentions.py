"""Finding @mentions of agents in a note's text. Pure: no queries."""

from __future__ import annotations

import re
from collections.abc import Iterable

from storedesk.core.models import User


def handles(agent: User) -> list[str]:
    """What may follow `@` to name this agent: their display name, or their email's local part."""
    out = [agent.name, agent.email.split("@")[0]]
    return [h for h in dict.fromkeys(out) if h]


def find_mentions(text: str, agents: Iterable[User]) -> list[User]:
    """The agents named in `text` as `@Leo Lead` or `@leo` (case-insensitive, whole words),
    each once, in the order of `agents`. The composer's @-suggestions insert `@<display name>`."""
    if "@" not in text:
        return []
    found = []
    for agent in agents:
        for handle in handles(agent):
            if re.search(rf"(?<![\w@.])@{re.escape(handle)}(?![\w-])", text, flags=re.IGNORECASE):
                found.append(agent)
                break
    return found
