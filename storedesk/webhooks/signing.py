"""Signing outbound webhooks, and the check receivers run (Stripe-style).

    X-Storedesk-Signature: t=1732288800,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd

`v1` is the hex HMAC-SHA256 of `f"{t}.{raw body}"` keyed with the endpoint's secret. The
timestamp is signed too, so a captured request cannot be replayed later than the tolerance.
This module has no Django imports: receivers may copy it as is.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Storedesk-Signature"
EVENT_HEADER = "X-Storedesk-Event"
DELIVERY_HEADER = "X-Storedesk-Delivery"
EVENT_ID_HEADER = "X-Storedesk-Event-Id"
USER_AGENT = "Storedesk-Webhooks/1"
DEFAULT_TOLERANCE_S = 300


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `b"<timestamp>.<body>"` keyed with `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The value of the X-Storedesk-Signature header for `body`, signed now (or at `timestamp`)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},v1={compute_signature(secret, t, body)}"


def parse_header(header: str) -> tuple[int | None, list[str]]:
    """(timestamp, [v1 signatures]) from a header; (None, []) when it is malformed."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            if not value.isdigit() or timestamp is not None:
                return None, []
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    return timestamp, signatures


def verify_signature(
    secret: str,
    header: str | None,
    body: str | bytes,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """True if `header` signs exactly `body` with `secret` and its timestamp is within
    `tolerance_s` seconds of now (either side, for clock skew). Constant-time comparison.

    Pass the raw request body, byte for byte: re-serialised JSON will not verify."""
    if not header or not secret:
        return False
    timestamp, signatures = parse_header(header)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        return False
    expected = compute_signature(secret, timestamp, _as_bytes(body)).encode()
    # Check every v1 without stopping early, so timing does not tell which one matched.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate.encode())
    return matched


def headers_for(*, secret: str, body: bytes, event_type: str, event_id: str, delivery_id: str) -> dict[str, str]:
    """Every header of one delivery attempt (signed at the time of the attempt)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event_type,
        EVENT_ID_HEADER: event_id,
        DELIVERY_HEADER: delivery_id,
        SIGNATURE_HEADER: sign(secret, body),
    }
