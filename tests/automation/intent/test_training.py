"""The training examples are ours: generated, plentiful, and disjoint from the evaluation set."""

from __future__ import annotations

import csv
from collections import Counter

from storedesk.automation.intent import engine
from storedesk.automation.intent.training import INTENTS, examples


def test_it_generates_400_distinct_examples_for_every_intent():
    pairs = examples()
    assert Counter(intent for _, intent in pairs) == dict.fromkeys(INTENTS, 400)
    assert len({text for text, _ in pairs}) == len(pairs)


def test_it_generates_the_same_examples_every_time():
    assert examples(per_intent=50, seed=7) == examples(per_intent=50, seed=7)
    assert examples(per_intent=50, seed=7) != examples(per_intent=50, seed=8)


def test_it_shares_no_sentence_with_the_bitext_evaluation_set(shared_dir):
    with (shared_dir / "data" / "intent" / "bitext_customer_support_dev.csv").open(newline="") as handle:
        bitext = {row["instruction"].strip().lower() for row in csv.DictReader(handle)}
    ours = {text.strip().lower() for text, _ in examples()}
    # Short generic phrases ("cancel purchase") may coincide; none of our longer ones may.
    assert sorted(text for text in ours & bitext if len(text.split()) > 3) == []


def test_it_caches_the_trained_model_under_the_var_dir_by_training_hash(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(engine, "_model", None)
    engine.model()
    assert [p.name for p in (tmp_path / "intent").iterdir()] == [f"model-{engine.training_hash()}.pickle"]

    # A second process loads the pickle instead of training again.
    monkeypatch.setattr(engine, "_model", None)
    monkeypatch.setattr(engine, "train", lambda: (_ for _ in ()).throw(AssertionError("retrained")))
    assert engine.classify("where is my order 123").intent == "track_order"


def test_it_retrains_when_the_training_examples_change(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    (tmp_path / "intent").mkdir()
    (tmp_path / "intent" / "model-0000000000000000.pickle").write_bytes(b"old")
    monkeypatch.setattr(engine, "_model", None)
    engine.model()
    assert [p.name for p in (tmp_path / "intent").iterdir()] == [f"model-{engine.training_hash()}.pickle"]


def test_it_retrains_when_the_cached_file_is_unreadable(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    (tmp_path / "intent").mkdir()
    (tmp_path / "intent" / f"model-{engine.training_hash()}.pickle").write_bytes(b"truncated")
    monkeypatch.setattr(engine, "_model", None)
    assert engine.classify("I forgot my password").intent == "recover_password"
