"""One JSON request to a platform's REST API, and what its answer means.

- 2xx: the decoded JSON (numbers as Decimal, never float), with the response headers.
- 429 Too Many Requests, 408, 5xx, timeouts, connection errors: `ProviderError(permanent=False)`;
  for 429 and 503 the platform's `Retry-After` (seconds, possibly fractional) is passed on.
- any other 4xx (and 3xx, never followed): `ProviderError(permanent=True)` carrying the
  platform's own error text, which the agent is shown as it came.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from storedesk.commerce.providers.base import ProviderError

TIMEOUT_S = 15.0
MAX_RETRY_AFTER_S = 3600.0
RETRYABLE = frozenset({408, 425, 429})


@dataclass
class JsonResponse:
    status: int
    data: Any
    headers: httpx.Headers


def _error_text(body: str) -> str:
    """The platform's message: Shopify's {"errors": ...} or WooCommerce's {"message": ...}."""
    try:
        data = json.loads(body)
    except ValueError:
        return body.strip()[:300]
    if isinstance(data, dict):
        errors = data.get("errors", data.get("error", data.get("message")))
        if isinstance(errors, dict):
            return "; ".join(
                f"{key} {' '.join(map(str, v)) if isinstance(v, list) else v}" for key, v in errors.items()
            )[:500]
        if isinstance(errors, list):
            return "; ".join(map(str, errors))[:500]
        if errors:
            return str(errors)[:500]
    return body.strip()[:300]


def retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER_S)
    except ValueError:
        return None


def request(
    platform: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    json_body: Any = None,
    params: dict[str, Any] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = TIMEOUT_S,
    ok_statuses: frozenset[int] = frozenset(),
) -> JsonResponse:
    """Send one request; raise ProviderError unless it is 2xx (or one of `ok_statuses`)."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, auth=auth) as client:
            response = client.request(method, url, headers=headers, json=json_body, params=params)
    except httpx.TimeoutException as exc:
        raise ProviderError(f"{platform} did not answer within {timeout:g}s.") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise ProviderError(f"{platform} address is not valid: {exc}", permanent=True) from exc
    except httpx.HTTPError as exc:
        raise ProviderError(f"Could not reach {platform}: {type(exc).__name__}.") from exc
    status = response.status_code
    if 200 <= status < 300 or status in ok_statuses:
        text = response.text
        try:
            data = json.loads(text, parse_float=Decimal) if text.strip() else {}
        except ValueError:
            if status in ok_statuses:
                data = {}
            else:
                raise ProviderError(f"{platform} answered with something that is not JSON.") from None
        return JsonResponse(status=status, data=data, headers=response.headers)
    message = f"{platform} answered {status}: {_error_text(response.text) or response.reason_phrase}"
    if status in RETRYABLE or status >= 500:
        wait = retry_after(response.headers) if status in (429, 503) else None
        raise ProviderError(message, status=status, retry_after=wait)
    raise ProviderError(message, permanent=True, status=status)
