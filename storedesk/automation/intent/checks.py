"""System check: a configured intent engine must be one that can run here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

ENGINES = ("default", "embeddings")


def check_intent_engine(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    name = getattr(settings, "INTENT_ENGINE", "default")
    if name not in ENGINES:
        return [
            checks.Error(
                f"INTENT_ENGINE={name!r} is not an engine.",
                hint=f"Use one of: {', '.join(ENGINES)}.",
                id="storedesk.E201",
            )
        ]
    if name == "embeddings":
        from storedesk.automation.intent import embeddings

        if not embeddings.available():
            return [
                checks.Error(
                    "INTENT_ENGINE=embeddings but the embeddings extra is not installed.",
                    hint="pip install 'storedesk[embeddings]', or unset INTENT_ENGINE.",
                    id="storedesk.E202",
                )
            ]
    return []
