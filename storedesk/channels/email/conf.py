"""The email channel's settings, with defaults. Each can be set in Django settings (or the
environment variable of the same name); per-store switches live in `Store.settings`."""

from __future__ import annotations

import os

from django.conf import settings

from storedesk.channels.email.attachments import Limits


def _get(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


def attachment_limits() -> Limits:
    return Limits(
        max_bytes=int(_get("EMAIL_MAX_ATTACHMENT_BYTES", str(25 * 1024 * 1024))),
        max_total_bytes=int(_get("EMAIL_MAX_ATTACHMENTS_TOTAL_BYTES", str(50 * 1024 * 1024))),
        max_count=int(_get("EMAIL_MAX_ATTACHMENTS", "50")),
    )


def send_max_attempts() -> int:
    return int(_get("EMAIL_SEND_MAX_ATTEMPTS", "6"))


def send_backoff_base_s() -> float:
    """The wait after the first failed send; doubles each attempt (30 s, 1 min, 2 min … ≤ 2 h)."""
    return float(_get("EMAIL_SEND_BACKOFF_BASE_S", "30"))


def send_timeout_s() -> float:
    return float(_get("EMAIL_SEND_TIMEOUT_S", "30"))


def spam_threshold() -> float | None:
    """Mail whose upstream spam score (X-Spam-Score, X-Spam-Status) reaches this is ignored as spam."""
    value = _get("EMAIL_SPAM_THRESHOLD", "5.0")
    return float(value) if value.strip() else None


def spam_scorer() -> str:
    """Dotted path of a callable(ParsedEmail) -> float | None, scoring mail ourselves (the hook)."""
    return _get("EMAIL_SPAM_SCORER", "")


def imap_poll() -> bool:
    """Poll IMAP mailboxes every minute from the worker (turn off when fetch-email --idle runs)."""
    return _get("EMAIL_IMAP_POLL", "1").strip().lower() in {"1", "true", "yes", "on"}
