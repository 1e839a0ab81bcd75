"""What the bot remembers about a chat, read back from the conversation itself: each bot
message carries `metadata["bot"]` ({kind, rejected, number, email}), so there is no table of
bot sessions to keep in step. The last bot message is the state; a hand-off is final."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from storedesk.conversations.models import Conversation, Message

ANSWER = "answer"  # a fact from an order or an article: the customer may reject it
ASK_ORDER = "ask_order"  # asked for the order number and email
CHAT = "chat"  # a greeting, thanks, "could you say it another way"
HANDOFF = "handoff"  # handed to a person: the bot says nothing more in this conversation
TRANSCRIPT_LIMIT = 40

_REJECTION = re.compile(
    r"^\s*(?:no+\b|nope|nah|not really|wrong|useless|"
    r"(?:that|this|it)(?:'s| is| was)? ?(?:not|n't) (?:it|right|what i (?:asked|meant|wanted)|helpful|my question)|"
    r"(?:that|this|it|you) (?:did ?n[o']?t|does ?n[o']?t|do ?n[o']?t|doesn't|didn't) (?:help|answer)|"
    r"not (?:helpful|what i (?:asked|meant|wanted))|(?:that|this) (?:doesn't|does not|didn't) help)",
    re.IGNORECASE,
)


def is_rejection(text: str) -> bool:
    """'No', 'that didn't help', 'not what I asked': the customer turned the last answer down."""
    return bool(_REJECTION.search((text or "").replace("\u2019", "'")))


@dataclass(frozen=True)
class BotState:
    kind: str = ""  # of the last bot message; "" when the bot has not spoken
    rejected: int = 0  # answers the customer rejected so far
    number: str = ""  # order number given while the bot asked for it
    email: str = ""

    @property
    def handed_off(self) -> bool:
        return self.kind == HANDOFF

    def meta(self, kind: str, **changes: Any) -> dict[str, Any]:
        """The metadata of the next bot message."""
        data = {"kind": kind, "rejected": self.rejected, "number": self.number, "email": self.email}
        data.update(changes)
        return {"bot": data}


def load(conversation: Conversation) -> BotState:
    """One query (message_timeline_idx): the conversation's last bot message."""
    last = (
        Message.objects.filter(conversation=conversation, author_kind=Message.AuthorKind.BOT)
        .order_by("-created_at", "-id")
        .values_list("metadata", flat=True)
        .first()
    )
    data = (last or {}).get("bot") or {}
    return BotState(
        kind=str(data.get("kind") or ""),
        rejected=int(data.get("rejected") or 0),
        number=str(data.get("number") or ""),
        email=str(data.get("email") or ""),
    )


def transcript(conversation: Conversation) -> str:
    """The chat so far, oldest first, as the agent's note shows it (notes left out)."""
    rows = list(
        Message.objects.filter(conversation=conversation)
        .exclude(direction=Message.Direction.NOTE)
        .order_by("-created_at", "-id")
        .values_list("author_kind", "body_text")[:TRANSCRIPT_LIMIT]
    )
    who: dict[str, str] = {"customer": "Customer", "bot": "Bot", "agent": "Agent"}
    return "\n".join(f"{who.get(kind, kind.title())}: {' '.join(text.split())}" for kind, text in reversed(rows))
