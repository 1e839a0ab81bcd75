"""Accuracy of the intent engine on a labelled CSV (`instruction,intent` columns)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from . import engine


class EvaluationError(ValueError):
    pass


def read_rows(path: Path) -> tuple[list[str], list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"instruction", "intent"} - set(reader.fieldnames or [])
        if missing:
            raise EvaluationError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        rows = [(row["instruction"] or "", (row["intent"] or "").strip()) for row in reader]
    if not rows:
        raise EvaluationError(f"{path}: no rows")
    return [text for text, _ in rows], [intent for _, intent in rows]


def evaluate(texts: list[str], expected: list[str], engine_name: str = "default") -> dict[str, Any]:
    """{"accuracy", "macro_f1", "per_intent": {intent: {precision, recall, f1, support}}, "n"}.

    Macro-F1 and the per-intent table cover the intents present in `expected`.
    """
    if engine_name == "embeddings":
        from . import embeddings

        predicted = embeddings.classify_many(texts)
    else:
        predicted = engine.classify_many(texts)
    labels = sorted(set(expected))
    precision, recall, f1, support = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0
    )
    per_intent = {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    return {
        "accuracy": round(float(accuracy_score(expected, predicted)), 4),
        "macro_f1": round(float(sum(f1) / len(labels)), 4),
        "per_intent": per_intent,
        "n": len(texts),
        "engine": engine_name,
    }


def evaluate_file(path: Path, engine_name: str = "default") -> dict[str, Any]:
    texts, expected = read_rows(path)
    return evaluate(texts, expected, engine_name)
