"""Writers for stores, agents, memberships, teams and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from storedesk.core import audit
from storedesk.core.access import check_permission, forget_roles
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import ApiToken, Membership, Role, Store, Team, User

TOKEN_PREFIX = "sd_"  # noqa: S105 - a public prefix, not a secret


def do_create_store(*, slug: str, name: str, actor: User | None = None, **fields: Any) -> Store:
    with transaction.atomic():
        store = Store.objects.create(slug=slug, name=name, **fields)
        audit.record(store_id=store.pk, actor=actor, verb="store.created", obj=store, after={"slug": slug})
        if actor is not None:
            Membership.objects.create(store=store, user=actor, role=Role.ADMIN)
            forget_roles(actor)
    return store


def do_add_agent(
    actor: User | None,
    store: Store,
    *,
    email: str,
    role: str = Role.AGENT,
    display_name: str = "",
    password: str | None = None,
) -> User:
    """Give a person a seat in the store (creating their login if new)."""
    if actor is not None:
        check_permission(actor, store.pk, "team.manage")
    if role not in Role.values:
        raise ActionError(f"Unknown role {role!r}.", code="invalid_role")
    with transaction.atomic():
        user = User.objects.filter(email=email.lower()).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, display_name=display_name)
        membership, created = Membership.objects.get_or_create(store=store, user=user, defaults={"role": role})
        if not created and membership.role != role:
            before = membership.role
            membership.role = role
            membership.save(update_fields=["role"])
            audit.record(
                store_id=store.pk,
                actor=actor,
                verb="agent.role_changed",
                obj=user,
                before={"role": before},
                after={"role": role},
            )
        elif created:
            audit.record(store_id=store.pk, actor=actor, verb="agent.added", obj=user, after={"role": role})
        forget_roles(user)
    return user


def do_deactivate_agent(actor: User | None, store: Store, user: User) -> None:
    """Switch off a login. Their conversations stay, unassigned from nobody: history is kept."""
    if actor is not None:
        check_permission(actor, store.pk, "team.manage")
    if not Membership.objects.filter(store=store, user=user).exists():
        raise NotFound("Agent not found.")
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(store_id=store.pk, actor=actor, verb="agent.deactivated", obj=user)
        forget_roles(user)


def do_create_team(actor: User | None, store: Store, name: str, members: Iterable[User] = ()) -> Team:
    if actor is not None:
        check_permission(actor, store.pk, "team.manage")
    with transaction.atomic():
        team = Team.objects.create(store=store, name=name)
        team.members.set(list(members))
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="team.created",
            obj=team,
            after={"name": name, "members": sorted(u.pk for u in members)},
        )
    return team


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def do_create_api_token(user: User, name: str = "default") -> tuple[ApiToken, str]:
    """Returns the token row and the secret, which is shown once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:10], key_hash=hash_token(raw))
    return token, raw


def do_revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def authenticate_token(raw: str) -> User | None:
    """The active user behind a raw token, or None. Marks the token used (at most once a minute)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
