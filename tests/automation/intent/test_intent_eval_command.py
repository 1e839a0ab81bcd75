"""`storedesk intent-eval FILE.csv [--json]`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from storedesk.__main__ import ALIASES

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "intent" / "small.csv"


def intent_eval(*args: str) -> dict:
    out = StringIO()
    call_command("intent_eval", *args, stdout=out)
    return json.loads(out.getvalue())


def test_it_scores_a_small_labelled_file():
    result = intent_eval(str(FIXTURE), "--json")
    assert result == {
        "accuracy": 1.0,
        "macro_f1": 1.0,
        "per_intent": {
            intent: {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
            for intent in [
                "cancel_order", "check_payment_methods", "contact_human_agent", "delivery_period",
                "recover_password", "track_order",
            ]
        },
        "n": 6,
        "engine": "default",
    }  # fmt: skip


def test_it_counts_a_wrong_label_against_the_engine(tmp_path):
    path = tmp_path / "one-wrong.csv"
    path.write_text(
        "instruction,intent,category\n"
        "where is my parcel 88123,track_order,ORDER\n"
        "I forgot my password,cancel_order,ACCOUNT\n"
    )
    result = intent_eval(str(path), "--json")
    assert result["accuracy"] == 0.5
    assert result["per_intent"]["cancel_order"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert result["per_intent"]["track_order"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert result["macro_f1"] == 0.5


def test_it_refuses_a_file_without_the_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nhello,other\n")
    with pytest.raises(CommandError, match="missing column"):
        intent_eval(str(path))


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        intent_eval(str(tmp_path / "nope.csv"))


def test_it_is_reachable_as_intent_eval():
    assert ALIASES["intent-eval"] == "intent_eval"


def test_it_reaches_90_percent_on_the_bitext_dev_set(shared_dir):
    result = intent_eval(str(shared_dir / "data" / "intent" / "bitext_customer_support_dev.csv"), "--json")
    assert result["n"] == 3337
    assert len(result["per_intent"]) == 27
    assert result["accuracy"] >= 0.90
