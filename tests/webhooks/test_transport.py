"""What an answer means: delivered, retry later, or stop (transport.classify / parse_retry_after)."""

from __future__ import annotations

import httpx
import pytest

from storedesk.webhooks.transport import Response, TransportError, classify, parse_retry_after

NOW = 1_767_225_600.0  # Thu, 01 Jan 2026 00:00:00 GMT


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_it_takes_any_2xx_as_delivered(status):
    assert classify(status, "ok", httpx.Headers()) == Response(status=status, body="ok")


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (400, True),
        (401, True),
        (403, True),
        (404, True),
        (410, True),
        (422, True),
        (301, True),
        (302, True),
        (307, True),
        (405, True),
        (409, True),
        (413, True),
        (408, False),
        (425, False),
        (429, False),
        (500, False),
        (502, False),
        (503, False),
        (504, False),
    ],
)
def test_it_tells_permanent_from_retryable_failures(status, permanent):
    with pytest.raises(TransportError) as error:
        classify(status, "nope", httpx.Headers({"Location": "https://example.test/"}))

    assert (error.value.permanent, error.value.status, error.value.body) == (permanent, status, "nope")


def test_it_passes_on_retry_after_only_for_429_and_503():
    headers = httpx.Headers({"Retry-After": "120"})
    retry_afters = {}
    for status in (429, 503, 500):
        with pytest.raises(TransportError) as error:
            classify(status, "", headers)
        retry_afters[status] = error.value.retry_after

    assert retry_afters == {429: 120.0, 503: 120.0, 500: None}


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (" 30 ", 30.0),
        ("Thu, 01 Jan 2026 00:05:00 GMT", 300.0),
        ("Wed, 31 Dec 2025 23:00:00 GMT", 0.0),  # in the past: now
        ("99999999", 21600.0),  # at most 6 h
        ("Fri, 01 Jan 2100 00:00:00 GMT", 21600.0),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_it_reads_retry_after_as_seconds_or_a_date(value, seconds):
    assert parse_retry_after(value, now=NOW) == seconds
