"""The HTTP transport of outbound webhooks: one POST, and what its answer means.

`post()` returns a `Response` for a 2xx answer and raises `TransportError` for anything else,
saying whether trying again could help (`permanent=False`) or not (`permanent=True`):

- 2xx: delivered.
- 4xx other than 408, 425 and 429 (so 400, 401, 403, 404, 410, 422, but also 405, 409,
  413 …): permanent. The receiver understood the request and refused it (bad payload,
  wrong credentials, no such route, already processed, gone for good); sending the same
  bytes again gets the same answer, so we stop at once: the admin fixes the endpoint and
  replays. 410 Gone is the receiver's explicit "stop sending".
- 3xx: permanent. Redirects are not followed (a webhook must not be bounced to a host the
  admin never configured); retrying gets the same redirect, so the endpoint URL must change.
- 408 Request Timeout, 425 Too Early, 429 Too Many Requests, 5xx, any other status,
  timeouts and connection errors: retryable. For 429 and 503 the receiver's `Retry-After`
  (seconds or an HTTP date) is passed on, capped at 6 hours.

Only the first 2 KB of an answer's body are read and kept (for the delivery log).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

MAX_BODY_BYTES = 2048
MAX_RETRY_AFTER_S = 6 * 3600
RETRYABLE_4XX = frozenset({408, 425, 429})
RETRY_AFTER_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class Response:
    status: int
    body: str  # the first 2 KB, decoded leniently


class TransportError(Exception):
    """A failed delivery attempt. `status`/`body` are set when the receiver answered."""

    def __init__(
        self,
        message: str,
        permanent: bool = False,
        *,
        status: int | None = None,
        body: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.body = body
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), 0–6 h; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), float(MAX_RETRY_AFTER_S))


def _read_limited(response: httpx.Response) -> str:
    """At most MAX_BODY_BYTES of the body; a receiver that hangs or breaks mid-body keeps what came."""
    data = b""
    try:
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) >= MAX_BODY_BYTES:
                break
    except httpx.HTTPError:
        pass
    return data[:MAX_BODY_BYTES].decode("utf-8", errors="replace")


def is_permanent(status: int) -> bool:
    return 300 <= status < 400 or (400 <= status < 500 and status not in RETRYABLE_4XX)


def classify(status: int, body: str, headers: httpx.Headers) -> Response:
    """A Response for 2xx; otherwise raise the TransportError the status calls for."""
    if 200 <= status < 300:
        return Response(status=status, body=body)
    if 300 <= status < 400:
        location = headers.get("location", "")
        raise TransportError(
            f"HTTP {status}: redirect to {location or '(no Location)'} not followed; set the endpoint URL to the final address.",
            permanent=True,
            status=status,
            body=body,
        )
    retry_after = parse_retry_after(headers.get("retry-after")) if status in RETRY_AFTER_STATUSES else None
    raise TransportError(
        f"HTTP {status}", permanent=is_permanent(status), status=status, body=body, retry_after=retry_after
    )


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST `body` to `url`; never follows redirects. Raises TransportError unless the answer is 2xx."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            with client.stream("POST", url, content=body, headers=headers) as response:
                text = _read_limited(response)
                return classify(response.status_code, text, response.headers)
    except httpx.TimeoutException as exc:
        raise TransportError(f"Timed out after {timeout:g}s ({type(exc).__name__}).") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise TransportError(f"Invalid URL: {exc}", permanent=True) from exc
    except httpx.HTTPError as exc:
        raise TransportError(f"Connection failed: {type(exc).__name__}: {exc}") from exc
