"""Intent engine speed: training time, cached load time, ms per message (classify, sentiment).

    .venv/bin/python bench/intent.py [--file CSV] [--messages 2000] [--json]

Messages come from `--file` (an `instruction` column, e.g. ../shared/data/intent/
bitext_customer_support_dev.csv) or, without it, from our own generated examples with a
different seed from training. One message at a time, as the bot calls it. Target: the default
engine classifies a message in ≤ 5 ms (issue 6).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import time
from pathlib import Path

from benchenv import DEFAULT_VAR_DIR, setup_django, target

TARGET_MS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="CSV with an instruction column")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    setup_django(target(0, var_dir=DEFAULT_VAR_DIR))

    from storedesk.automation.intent import engine, training

    started = time.perf_counter()
    engine.train()
    train_s = time.perf_counter() - started
    engine._model = None
    engine.model()  # writes the cache (or reads it when it is already there)
    engine._model = None
    started = time.perf_counter()
    engine.model()
    load_s = time.perf_counter() - started

    if args.file:
        with args.file.open(newline="") as handle:
            texts = [row["instruction"] for row in csv.DictReader(handle)]
    else:
        texts = [text for text, _ in training.examples(per_intent=200, seed=1)]
    texts = random.Random(0).sample(texts, min(args.messages, len(texts)))
    engine.classify(texts[0])
    engine.sentiment(texts[0])

    classify_ms, sentiment_ms = [], []
    for text in texts:
        t0 = time.perf_counter()
        engine.classify(text)
        t1 = time.perf_counter()
        engine.sentiment(text)
        t2 = time.perf_counter()
        classify_ms.append((t1 - t0) * 1000)
        sentiment_ms.append((t2 - t1) * 1000)

    def summary(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "mean_ms": round(statistics.fmean(ordered), 3),
            "p50_ms": round(ordered[len(ordered) // 2], 3),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
        }

    result = {
        "examples": len(training.examples()),
        "train_s": round(train_s, 2),
        "cached_load_s": round(load_s, 3),
        "messages": len(texts),
        "classify": summary(classify_ms),
        "sentiment": summary(sentiment_ms),
        "target_ms": TARGET_MS,
    }
    result["ok"] = result["classify"]["p99_ms"] <= TARGET_MS
    if args.json:
        print(json.dumps(result))
        return
    print(f"training examples   {result['examples']}")
    print(f"train               {result['train_s']} s")
    print(f"load cached model   {result['cached_load_s']} s")
    for name in ("classify", "sentiment"):
        s = result[name]
        print(f"{name:<19} mean {s['mean_ms']} ms  p50 {s['p50_ms']} ms  p99 {s['p99_ms']} ms  ({len(texts)} messages)")
    print(f"target              classify p99 <= {TARGET_MS} ms: {'ok' if result['ok'] else 'MISSED'}")


if __name__ == "__main__":
    main()
