"""Tenant scoping: every lookup of a domain object by id goes through here.

An object in a store the caller is not a member of is reported as NotFound, never as
Forbidden, so ids of other stores cannot be probed (no IDOR).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from storedesk.core.errors import NotFound, PermissionDenied
from storedesk.core.models import ROLE_RANK, Membership, Role, Store, User
from storedesk.core.permissions import PERMISSIONS

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_storedesk_roles"


def roles_for(user: User) -> dict[int, Role]:
    """store_id → role for this user, memoised on the user object (one query per request)."""
    cached: dict[int, Role] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        if not user.is_authenticated or not user.is_active:
            cached = {}
        else:
            cached = {
                store_id: Role(role)
                for store_id, role in Membership.objects.filter(user=user).values_list("store_id", "role")
            }
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: User) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def store_ids_for(user: User) -> list[int]:
    return sorted(roles_for(user))


def has_permission(user: User, store_id: int, permission: str) -> bool:
    role = roles_for(user).get(store_id)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[PERMISSIONS[permission]]


def check_permission(user: User, store_id: int, permission: str) -> None:
    """Raise NotFound outside the user's stores, PermissionDenied inside them without the role."""
    if store_id not in roles_for(user):
        raise NotFound("Not found.")
    if not has_permission(user, store_id, permission):
        raise PermissionDenied(f"Your role may not do this ({permission}).")


def scoped(user: User, queryset: QuerySet[M], store_field: str = "store_id") -> QuerySet[M]:
    return queryset.filter(**{f"{store_field}__in": store_ids_for(user)})


def access_object(
    user: User, queryset: QuerySet[M], pk: Any, permission: str = "conversation.view", store_field: str = "store_id"
) -> M:
    """Fetch one object by primary key within the user's stores and check `permission` there."""
    try:
        obj = scoped(user, queryset, store_field).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise NotFound(f"{queryset.model.__name__} {pk} not found.") from None
    store_id = obj
    for part in store_field.split("__"):
        store_id = getattr(store_id, part)
    check_permission(user, int(store_id), permission)  # type: ignore[call-overload]
    return obj


def access_store(user: User, store_ref: int | str, permission: str = "conversation.view") -> Store:
    """A store by id or slug, if the user is a member with `permission`."""
    lookup = {"pk": store_ref} if isinstance(store_ref, int) or str(store_ref).isdigit() else {"slug": store_ref}
    store = Store.objects.filter(pk__in=store_ids_for(user), **lookup).first()
    if store is None:
        raise NotFound(f"Store {store_ref} not found.")
    check_permission(user, store.pk, permission)
    return store


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def agent_named_by_setting(store: Store, key: str) -> User | None:
    """The active member whose email `store.settings[key]` names (a job acting on the store's
    behalf: whose authority a carrier-triggered refund uses, who signs late-order outreach);
    with the setting empty, the store's first admin. None if nobody fits."""
    wanted = str(store.settings.get(key) or "").strip().lower()
    members = Membership.objects.filter(store=store, user__is_active=True).select_related("user")
    member = (
        members.filter(user__email__iexact=wanted).first()
        if wanted
        else members.filter(role=Role.ADMIN).order_by("user_id").first()
    )
    return member.user if member else None
