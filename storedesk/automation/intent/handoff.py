"""When the bot must stop and hand the conversation to a person (issue 6: "think twice
before automating"). Pure rules, no I/O: the caller passes the message, its detected intent
and sentiment, and what it knows about the customer and the conversation so far.

decide(...) returns a HandoffDecision (the first rule that fires, in the order of REASONS)
or None when the bot may answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEGAL_SAFETY = "legal_safety"
PAYMENT_DISPUTE = "payment_dispute"
COMPLAINT = "complaint"
NEGATIVE_SENTIMENT = "negative_sentiment"
ASKED_FOR_PERSON = "asked_for_person"
VIP = "vip"
REJECTED_ANSWERS = "rejected_answers"
# Most serious first: the first that fires is the reason the agent sees.
REASONS = (LEGAL_SAFETY, PAYMENT_DISPUTE, COMPLAINT, NEGATIVE_SENTIMENT, ASKED_FOR_PERSON, VIP, REJECTED_ANSWERS)

NEGATIVE_AT = -0.5  # VADER compound at or below this hands off ("very negative")
MAX_REJECTED_ANSWERS = 2  # the customer said "that didn't help" twice

_LEGAL_SAFETY_WORDS = (
    # legal
    r"lawyers?", r"attorneys?", r"solicitors?", r"legal action", r"lawsuits?", r"sue", r"suing", r"sued",
    r"court", r"small claims", r"charge ?backs?", r"trading standards", r"ombudsman", r"police", r"fraud\w*",
    r"scam\w*", r"consumer protection",
    # safety
    r"injur(?:y|ies|ed)", r"hurt", r"burn(?:s|t|ed|ing)?", r"fire", r"smoke|smoking", r"explod\w*",
    r"electric(?:al)? shock", r"shocked me", r"allerg\w*", r"anaphyla\w*", r"poison\w*", r"chok(?:e|ed|ing)",
    r"hospital", r"bleeding", r"unsafe", r"dangerous", r"toxic",
)  # fmt: skip
_DISPUTE_WORDS = (
    r"disputed?", r"disputing", r"unauthori[sz]ed", r"(?:did ?n[o']?t|never) authori[sz]e", r"charged (?:me )?twice",
    r"double[- ]charged", r"charged (?:me )?double", r"over ?charged", r"(?:don'?t|do not) recogni[sz]e",
    r"not recogni[sz]ed?", r"stolen card", r"card (?:was|got) stolen", r"my bank", r"reverse the (?:charge|payment)",
)  # fmt: skip
_LEGAL_SAFETY = re.compile(r"\b(?:" + "|".join(_LEGAL_SAFETY_WORDS) + r")\b", re.IGNORECASE)
_DISPUTE = re.compile(r"\b(?:" + "|".join(_DISPUTE_WORDS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class HandoffDecision:
    reason: str  # one of REASONS
    detail: str = ""  # what fired: the word, the intent or the score, for the agent's note


def _normalise(text: str) -> str:
    return (text or "").replace("\u2019", "'").replace("\u2018", "'")


def decide(
    text: str,
    *,
    intent: str,
    sentiment_score: float,
    vip: bool = False,
    rejected_answers: int = 0,
) -> HandoffDecision | None:
    """The reason to hand off now, or None when the bot may answer."""
    text = _normalise(text)
    if match := _LEGAL_SAFETY.search(text):
        return HandoffDecision(LEGAL_SAFETY, match.group(0).lower())
    if intent == "payment_issue" and (match := _DISPUTE.search(text)):
        return HandoffDecision(PAYMENT_DISPUTE, match.group(0).lower())
    if intent == "complaint":
        return HandoffDecision(COMPLAINT, intent)
    if sentiment_score <= NEGATIVE_AT:
        return HandoffDecision(NEGATIVE_SENTIMENT, f"{sentiment_score:.2f}")
    if intent == "contact_human_agent":
        return HandoffDecision(ASKED_FOR_PERSON, intent)
    if vip:
        return HandoffDecision(VIP, "vip")
    if rejected_answers >= MAX_REJECTED_ANSWERS:
        return HandoffDecision(REJECTED_ANSWERS, str(rejected_answers))
    return None
