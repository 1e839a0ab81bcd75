"""Sentiment: VADER's compound score and our three labels."""

from __future__ import annotations

import pytest

from storedesk.automation.intent import engine


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Thank you so much, you were really helpful!", "positive"),
        ("I love the jacket, great quality", "positive"),
        ("where is my order 123", "neutral"),
        ("change the address on order 44", "neutral"),
        ("This is terrible, the worst service I have ever had", "negative"),
        ("I'm angry and disappointed, the lamp arrived broken", "negative"),
    ],
)
def test_it_labels_the_polarity(text, label):
    assert engine.sentiment(text).label == label


def test_it_scores_between_minus_one_and_one():
    very_bad = engine.sentiment("awful awful awful, I hate this, horrible disgusting scam")
    very_good = engine.sentiment("wonderful, amazing, perfect, I love it, thank you!!")
    assert -1.0 <= very_bad.score <= -0.8
    assert 0.8 <= very_good.score <= 1.0
    assert engine.sentiment("").score == 0.0
    assert engine.sentiment("").label == "neutral"
