"""Warming the intent model at start-up (`storedesk worker`, and `storedesk serve` when it runs
the jobs itself), so the bot's first reply after install does not wait ~10 s for training.

In a daemon thread, so start-up never waits; scikit-learn is imported there too. Off with
INTENT_WARM_AT_START=0 (the test settings turn it off for servers started by tests).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings

log = logging.getLogger(__name__)


def warm_in_background() -> threading.Thread | None:
    if not getattr(settings, "INTENT_WARM_AT_START", True):
        return None
    thread = threading.Thread(target=_warm, name="intent-warm", daemon=True)
    thread.start()
    return thread


def _warm() -> None:
    try:
        from storedesk.automation.intent.engine import warm

        warm()
    except Exception:  # the bot loads it again on first use and logs why there
        log.warning("could not warm the intent model", exc_info=True)
