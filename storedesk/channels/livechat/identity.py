"""Who the visitor is: the server-issued visitor token and the store-signed shopper identity.

- Visitor token: `django.core.signing` over {"v": visitor id, "s": store id}, salted for the
  widget. Issued by the server, kept in the widget's localStorage, sent back on every connect.
  It is a bearer credential for that visitor's chat history, nothing more.
- Shopper identity (like Intercom's user_hash / Chatwoot's identifier_hash): the store's own
  server computes `hex(HMAC-SHA256(store.signing_secret, f"{user_id}\n{email}"))` (either part
  may be empty, never both) and puts it in the page. We recompute and compare in constant time;
  a wrong signature is refused, never downgraded to anonymous.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.core import signing

TOKEN_SALT = "storedesk.livechat.visitor"  # noqa: S105 - a salt (namespace), not a secret


def issue_token(visitor_id: int, store_id: int) -> str:
    return signing.dumps({"v": visitor_id, "s": store_id}, salt=TOKEN_SALT, compress=True)


def read_token(token: Any, store_id: int) -> int | None:
    """The visitor id in a token issued for this store; None when absent, forged or foreign."""
    if not isinstance(token, str) or not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != store_id or not isinstance(data.get("v"), int):
        return None
    return int(data["v"])


def sign_identity(secret: str, user_id: str = "", email: str = "") -> str:
    """What the store's server computes (see docs/livechat.md for PHP/Node/Python snippets)."""
    payload = f"{user_id}\n{email.strip().lower()}".encode()
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Shopper:
    user_id: str
    email: str
    name: str


class ForgedIdentity(Exception):
    pass


def verify_identity(secret: str, data: Any) -> Shopper | None:
    """The verified shopper in the widget's `identity` object; None when none was given.
    Raises ForgedIdentity when it is given but its signature does not match."""
    if not data:
        return None
    if not isinstance(data, dict):
        raise ForgedIdentity("identity must be an object")
    user_id = str(data.get("user_id") or "")[:200]
    email = str(data.get("email") or "").strip().lower()[:254]
    signature = str(data.get("signature") or "")
    if not (user_id or email):
        raise ForgedIdentity("identity needs user_id or email")
    expected = sign_identity(secret, user_id, email)
    if not signature or not hmac.compare_digest(expected, signature):
        raise ForgedIdentity("identity signature does not match")
    return Shopper(user_id=user_id, email=email, name=str(data.get("name") or "")[:200])
