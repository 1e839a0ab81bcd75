"""Read-side queries for the agent pages: scoped to the agent's stores, eager-loaded.

The full inbox (filters, cursor pagination) is a later slice; this is the home page's list.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from storedesk.conversations.models import Conversation, Status
from storedesk.core.access import roles_for, store_ids_for
from storedesk.core.models import Role, Store, User

HOME_CONVERSATIONS = 25

# The logins `storedesk demo` creates. Shown by `storedesk serve` and, with DEBUG on, on the
# login page — only when they exist in this database.
DEMO_LOGINS = ["owner@demo.test", "lead@demo.test", "agent@demo.test"]
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the published demo password, not a secret


def demo_logins() -> list[str]:
    found = set(User.objects.filter(email__in=DEMO_LOGINS, is_active=True).values_list("email", flat=True))
    return [email for email in DEMO_LOGINS if email in found]


def stores_for(user: User) -> list[Store]:
    """The agent's stores by name, each annotated with `role` / `role_label` for display."""
    roles = roles_for(user)
    stores = list(Store.objects.filter(pk__in=store_ids_for(user)).order_by("name"))
    for store in stores:
        role = roles[store.pk]
        store.role = role  # type: ignore[attr-defined]
        store.role_label = Role(role).label  # type: ignore[attr-defined]
    return stores


def stores_label(stores: Sequence[Store]) -> str:
    if not stores:
        return "No store"
    if len(stores) <= 2:
        return " · ".join(store.name for store in stores)
    return f"{len(stores)} stores"


def recent_open_conversations(user: User, limit: int = HOME_CONVERSATIONS) -> QuerySet[Conversation]:
    """The most recently active open conversations across the agent's stores.

    Uses conv_inbox_recent_idx (store, status, -last_message_at, -id) per store.
    """
    return (
        Conversation.objects.filter(store_id__in=store_ids_for(user), status=Status.OPEN, merged_into__isnull=True)
        .select_related("customer", "assignee", "store")
        .order_by("-last_message_at", "-id")[:limit]
    )
