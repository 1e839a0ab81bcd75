"""The optional embeddings engine: a clear error without the extra, a system check that
refuses a configuration that cannot run, and (when the extra is installed) the engine itself."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from storedesk.automation.intent import embeddings
from storedesk.automation.intent.checks import check_intent_engine

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "intent" / "small.csv"
needs_extra = pytest.mark.skipif(not embeddings.available(), reason="the storedesk[embeddings] extra is not installed")
without_extra = pytest.mark.skipif(embeddings.available(), reason="the storedesk[embeddings] extra is installed")


@without_extra
def test_it_says_how_to_install_the_extra_when_it_is_missing():
    with pytest.raises(CommandError, match=r"pip install 'storedesk\[embeddings\]'"):
        call_command("intent_eval", str(FIXTURE), "--engine", "embeddings", stdout=StringIO())


@without_extra
def test_it_refuses_to_start_with_the_embeddings_engine_and_no_extra(settings):
    settings.INTENT_ENGINE = "embeddings"

    errors = check_intent_engine()

    assert [(e.id, e.msg) for e in errors] == [
        ("storedesk.E202", "INTENT_ENGINE=embeddings but the embeddings extra is not installed.")
    ]


def test_it_refuses_an_engine_that_does_not_exist(settings):
    settings.INTENT_ENGINE = "gpt"

    assert [(e.id, e.msg) for e in check_intent_engine()] == [
        ("storedesk.E201", "INTENT_ENGINE='gpt' is not an engine.")
    ]


def test_it_accepts_the_default_engine(settings):
    settings.INTENT_ENGINE = "default"

    assert check_intent_engine() == []


@needs_extra
def test_it_scores_a_small_labelled_file_with_embeddings():
    out = StringIO()
    call_command("intent_eval", str(FIXTURE), "--engine", "embeddings", "--json", stdout=out)
    result = json.loads(out.getvalue())

    assert (result["engine"], result["n"], result["accuracy"]) == ("embeddings", 6, 1.0)


@needs_extra
def test_it_classifies_one_message_with_the_configured_engine(settings):
    from storedesk.automation.intent import engine

    settings.INTENT_ENGINE = "embeddings"

    assert engine.classify("where is my parcel, it has not arrived").intent == "track_order"
