"""Twilio's webhook signature scheme, which other voice providers' adapters can reuse:
base64(HMAC-SHA1(secret, full URL + each POST parameter's name and value, sorted by name))."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def sign(secret: str, url: str, params: Mapping[str, str]) -> str:
    message = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify(secret: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    return bool(secret) and bool(signature) and hmac.compare_digest(sign(secret, url, params), signature)
