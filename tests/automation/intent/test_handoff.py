"""Hand-off rules, table-driven: each row is a message and what the bot must do with it."""

from __future__ import annotations

import pytest

from storedesk.automation.intent.handoff import (
    ASKED_FOR_PERSON,
    COMPLAINT,
    LEGAL_SAFETY,
    NEGATIVE_SENTIMENT,
    PAYMENT_DISPUTE,
    REJECTED_ANSWERS,
    VIP,
    HandoffDecision,
    decide,
)

CASES = [
    # text, intent, sentiment, vip, rejected answers -> reason, detail (None: the bot answers)
    ("where is my order 123", "track_order", 0.0, False, 0, None, None),
    ("what is your refund policy", "check_refund_policy", 0.2, False, 1, None, None),
    ("I'll get my lawyer involved", "track_order", 0.0, False, 0, LEGAL_SAFETY, "lawyer"),
    ("I will sue you", "other", 0.0, False, 0, LEGAL_SAFETY, "sue"),
    ("I'm filing a chargeback with my bank", "payment_issue", 0.0, False, 0, LEGAL_SAFETY, "chargeback"),
    ("the charger caught fire", "complaint", -0.3, False, 0, LEGAL_SAFETY, "fire"),
    ("my son had an allergic reaction to the snack", "other", 0.0, False, 0, LEGAL_SAFETY, "allergic"),
    ("the blender blade injured my hand", "get_refund", -0.2, False, 0, LEGAL_SAFETY, "injured"),
    ("I was charged twice for order 88", "payment_issue", 0.0, False, 0, PAYMENT_DISPUTE, "charged twice"),
    ("I didn\u2019t authorize this payment", "payment_issue", 0.0, False, 0, PAYMENT_DISPUTE, "didn't authorize"),
    ("I want to dispute this payment", "payment_issue", 0.0, False, 0, PAYMENT_DISPUTE, "dispute"),
    ("my card was declined", "payment_issue", 0.0, False, 0, None, None),
    ("I was charged twice", "track_order", 0.0, False, 0, None, None),
    ("I want to make a complaint", "complaint", 0.0, False, 0, COMPLAINT, "complaint"),
    ("this is the worst, I hate it", "track_order", -0.84, False, 0, NEGATIVE_SENTIMENT, "-0.84"),
    ("a bit annoying", "track_order", -0.49, False, 0, None, None),
    ("talk to a person", "contact_human_agent", 0.0, False, 0, ASKED_FOR_PERSON, "contact_human_agent"),
    ("where is my order 123", "track_order", 0.0, True, 0, VIP, "vip"),
    ("where is my order 123", "track_order", 0.0, False, 2, REJECTED_ANSWERS, "2"),
    ("where is my order 123", "track_order", 0.0, False, 3, REJECTED_ANSWERS, "3"),
    # the most serious reason wins
    ("my lawyer says this complaint is serious", "complaint", -0.9, True, 2, LEGAL_SAFETY, "lawyer"),
    ("I'm complaining, awful", "complaint", -0.9, True, 2, COMPLAINT, "complaint"),
    ("fine", "track_order", -0.6, True, 0, NEGATIVE_SENTIMENT, "-0.60"),
    # words inside other words do not fire
    ("I need a firewall cable and suede shoes", "place_order", 0.0, False, 0, None, None),
    ("the courtyard delivery option", "delivery_options", 0.0, False, 0, None, None),
]


@pytest.mark.parametrize(("text", "intent", "score", "vip", "rejected", "reason", "detail"), CASES)
def test_it_decides_the_hand_off(text, intent, score, vip, rejected, reason, detail):
    decision = decide(text, intent=intent, sentiment_score=score, vip=vip, rejected_answers=rejected)
    if reason is None:
        assert decision is None
    else:
        assert decision == HandoffDecision(reason, detail)
