"""Read-side helpers for the agent pages: the agent's stores, the demo logins.

The inbox and dashboard finders (filters, cursor pagination, capped counts) are in
storedesk/conversations/queries.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest

from storedesk.core.access import access_store, has_permission, roles_for, store_ids_for
from storedesk.core.errors import PermissionDenied
from storedesk.core.models import Role, Store, User

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


def store_from_request(
    request: HttpRequest, permission: str, refused: str = "Your role may not see this page."
) -> Store:
    """The store a settings/report page is about: `?store=` (or a POSTed `store`: slug or id),
    else the first of the agent's stores where they hold `permission`. access_store checks
    the store and the role either way (404 outside the agent's stores, 403 without the role)."""
    user: User = request.user  # type: ignore[assignment]
    ref = request.GET.get("store") or request.POST.get("store")
    if not ref:
        allowed = sorted(s for s in store_ids_for(user) if has_permission(user, s, permission))
        if not allowed:
            raise PermissionDenied(refused)
        ref = str(allowed[0])
    return access_store(user, ref, permission)


def page_store(request: HttpRequest, permission: str, refused: str = "Your role may not see this page.") -> Store:
    """store_from_request for a page view: outside the agent's stores is a 404, without the role a 403."""
    from django.core.exceptions import PermissionDenied as Forbidden
    from django.http import Http404

    from storedesk.core.errors import NotFound

    try:
        return store_from_request(request, permission, refused)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except PermissionDenied as exc:
        raise Forbidden(exc.message) from None


def stores_label(stores: Sequence[Store]) -> str:
    if not stores:
        return "No store"
    if len(stores) <= 2:
        return " · ".join(store.name for store in stores)
    return f"{len(stores)} stores"
