"""Lookups by what clients send (ids, slugs), before the tenant checks of `storedesk.core.access`."""

from __future__ import annotations

from storedesk.core.access import access_store
from storedesk.core.errors import NotFound
from storedesk.core.models import Store, User

MAX_ID = 2**63 - 1


def get_store(user: User, ref: int | str, permission: str = "conversation.view") -> Store:
    """A store of the caller's by id or slug (`?store=` and `"store"` in bodies)."""
    ref = ref.strip() if isinstance(ref, str) else ref
    if isinstance(ref, str) and ref.isdigit():
        ref = int(ref)
    if isinstance(ref, int) and not 0 < ref <= MAX_ID:
        raise NotFound(f"Store {ref} not found.")
    return access_store(user, ref, permission)
