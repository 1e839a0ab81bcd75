"""Per-store change stamps: a random token in the cache, replaced after every committed
change in a store (core.publish calls `touch` on commit for each event).

Readers key cheap-to-recompute, read-often data on the stamps of the stores it covers — the
inbox's view counts (conversations.queries.cached_view_counts) — so it is computed again
after any change in those stores and reused until then. With Redis the stamps are shared by
every web and worker process; with the embedded in-memory cache they are per process, which
is why cached data also expires after a short timeout (a change made by another process is
seen within it). See docs/decisions/0020-inbox-counts-cache.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.core.cache import cache

KEY = "store-stamp:{}"
STAMP_TIMEOUT = 24 * 3600  # a lost stamp only costs one recomputation


def _key(store_id: int) -> str:
    return KEY.format(store_id)


def touch(store_id: int) -> None:
    """Mark the store as changed: everything keyed on its old stamp is now stale."""
    cache.set(_key(store_id), secrets.token_hex(6), STAMP_TIMEOUT)


def stamps(store_ids: Sequence[int]) -> str:
    """The stores' current stamps joined in one string (a store without one gets one)."""
    keys = [_key(store_id) for store_id in store_ids]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(6), STAMP_TIMEOUT)
            found[key] = cache.get(key)
    return ".".join(str(found[key]) for key in keys)
