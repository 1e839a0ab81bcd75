"""The default engine on clear messages we wrote ourselves (one or two per intent)."""

from __future__ import annotations

import numpy as np
import pytest

from storedesk.automation.intent import engine
from storedesk.automation.intent.training import INTENTS

CLEAR = [
    ("Please cancel order 48213, I don't need it any more", "cancel_order"),
    ("I want to add a second mug to my order 77120", "change_order"),
    ("I moved last week, can you change the shipping address on my order?", "change_shipping_address"),
    ("Is there a fee if I cancel early?", "check_cancellation_fee"),
    ("where can I see my invoices from last spring", "check_invoice"),
    ("do you take Apple Pay?", "check_payment_methods"),
    ("what is your refund policy", "check_refund_policy"),
    ("I want to file a complaint about your awful service", "complaint"),
    ("what are the customer support opening hours", "contact_customer_service"),
    ("let me speak to a human please", "contact_human_agent"),
    ("I'd like to open a new account for my daughter", "create_account"),
    ("please delete my account and all my data", "delete_account"),
    ("do you ship to Iceland?", "delivery_options"),
    ("how many days does delivery take", "delivery_period"),
    ("I need to update the phone number on my profile", "edit_account"),
    ("can you email me the invoice for order 99031", "get_invoice"),
    ("the kettle arrived broken, I want my money back", "get_refund"),
    ("take me off your newsletter", "newsletter_subscription"),
    ("my card was declined at checkout", "payment_issue"),
    ("I want to buy two of the green hoodies", "place_order"),
    ("I forgot my password", "recover_password"),
    ("the sign-up form gives me an error when I register", "registration_problems"),
    ("where can I leave a review of your shop", "review"),
    ("how do I add a second delivery address to my account", "set_up_shipping_address"),
    ("I want to upgrade to the premium account", "switch_account"),
    ("where is my order 55120?", "track_order"),
    ("I'm still waiting for my refund of 40 euros", "track_refund"),
    ("hello", "other"),
    ("thanks, that's all", "other"),
]


def test_it_covers_the_27_bitext_intents_and_other():
    assert set(INTENTS) == {
        "cancel_order", "change_order", "change_shipping_address", "check_cancellation_fee", "check_invoice",
        "check_payment_methods", "check_refund_policy", "complaint", "contact_customer_service",
        "contact_human_agent", "create_account", "delete_account", "delivery_options", "delivery_period",
        "edit_account", "get_invoice", "get_refund", "newsletter_subscription", "payment_issue", "place_order",
        "recover_password", "registration_problems", "review", "set_up_shipping_address", "switch_account",
        "track_order", "track_refund", "other",
    }  # fmt: skip
    assert {intent for _, intent in CLEAR} == set(INTENTS)


@pytest.mark.parametrize(("text", "intent"), CLEAR)
def test_it_classifies_a_clear_message(text, intent):
    result = engine.classify(text)
    assert result.intent == intent


def test_it_returns_a_confidence_and_the_next_best_intents():
    result = engine.classify("where is my order 55120?")
    assert result.intent == "track_order"
    assert 0.5 < result.confidence <= 1.0
    assert len(result.alternatives) == 3
    assert [name for name, _ in result.alternatives] != ["track_order"] * 3
    assert all(0.0 <= confidence <= result.confidence for _, confidence in result.alternatives)
    assert result.confidence + sum(confidence for _, confidence in result.alternatives) <= 1.0001


def test_it_classifies_empty_text_without_failing():
    assert engine.classify("").intent in INTENTS


@pytest.mark.parametrize(
    "text",
    ["where is my order 12345?", "I want a REFUND of $40!!", "hello", "", "zzzz qqq", "cancel cancel cancel"],
)
def test_it_scores_exactly_as_the_sklearn_pipeline(text):
    pipeline = engine.model()
    expected = pipeline.decision_function([text])[0]
    assert np.allclose(engine.scorer().scores(text), expected, rtol=0, atol=1e-9)
    assert engine.classify(text).intent == pipeline.predict([text])[0]
