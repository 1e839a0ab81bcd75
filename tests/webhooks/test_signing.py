"""X-Storedesk-Signature: t=<unix ts>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from storedesk.webhooks.signing import compute_signature, headers_for, parse_header, sign, verify_signature

SECRET = "whsec-acme-1"
BODY = b'{"type":"customer.merged","store_id":1}'
T = 1_767_225_600  # 2026-01-01T00:00:00Z


def test_it_signs_the_timestamp_and_the_raw_body():
    expected = hmac.new(SECRET.encode(), b"1767225600." + BODY, hashlib.sha256).hexdigest()

    assert sign(SECRET, BODY, timestamp=T) == f"t={T},v1={expected}"
    assert compute_signature(SECRET, T, BODY) == expected


def test_it_verifies_a_fresh_signature():
    assert verify_signature(SECRET, sign(SECRET, BODY, timestamp=T), BODY, now=T + 10) is True
    assert verify_signature(SECRET, sign(SECRET, BODY, timestamp=T), BODY.decode(), now=T + 10) is True


@pytest.mark.parametrize(
    ("secret", "body", "now"),
    [
        (SECRET, BODY + b" ", T),  # tampered body
        (SECRET, BODY.replace(b"1", b"2"), T),  # tampered payload
        ("whsec-other", BODY, T),  # wrong secret
        (SECRET, BODY, T + 301),  # too old: a replayed request
        (SECRET, BODY, T - 301),  # too far in the future
        ("", BODY, T),  # no secret
    ],
)
def test_it_rejects_what_does_not_match(secret, body, now):
    assert verify_signature(secret, sign(SECRET, BODY, timestamp=T), body, now=now) is False


def test_it_accepts_the_edges_of_the_tolerance():
    header = sign(SECRET, BODY, timestamp=T)

    assert verify_signature(SECRET, header, BODY, now=T + 300) is True
    assert verify_signature(SECRET, header, BODY, now=T + 60, tolerance_s=30) is False


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        f"v1={compute_signature(SECRET, T, BODY)}",  # no timestamp
        f"t={T}",  # no signature
        f"t=abc,v1={compute_signature(SECRET, T, BODY)}",
        f"t={T},t={T},v1={compute_signature(SECRET, T, BODY)}",
        f"t={T},v1=ünïcode",
    ],
)
def test_it_rejects_a_malformed_header(header):
    assert verify_signature(SECRET, header, BODY, now=T) is False


def test_it_accepts_any_matching_v1_among_several():
    header = f"t={T},v1={'0' * 64},v1={compute_signature(SECRET, T, BODY)}"

    assert parse_header(header) == (T, ["0" * 64, compute_signature(SECRET, T, BODY)])
    assert verify_signature(SECRET, header, BODY, now=T) is True


def test_it_builds_every_header_of_a_delivery(time_machine):
    time_machine.move_to(T, tick=False)

    headers = headers_for(secret=SECRET, body=BODY, event_type="customer.merged", event_id="e-1", delivery_id="d-1")

    assert headers == {
        "Content-Type": "application/json",
        "User-Agent": "Storedesk-Webhooks/1",
        "X-Storedesk-Event": "customer.merged",
        "X-Storedesk-Event-Id": "e-1",
        "X-Storedesk-Delivery": "d-1",
        "X-Storedesk-Signature": sign(SECRET, BODY, timestamp=T),
    }
