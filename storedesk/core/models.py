"""Stores, agents, teams, roles, API tokens and the audit log.

Rows here are written only through `storedesk.core.actions` (and the demo loader,
which calls those actions or bulk-inserts fresh data).
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone as dj_timezone


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Store(models.Model):
    """One shop / brand. One install serves several; every domain row carries its store."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    support_email = models.EmailField(blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    reply_to = models.EmailField(blank=True)
    website_url = models.URLField(blank=True)
    # Postal/return addresses: {"return": {...}, "office": {...}}; free-form, shown to customers.
    addresses = models.JSONField(default=dict, blank=True)
    # Per-store behaviour switches (auto-ack, reopen window, …); read through `Store.setting`.
    settings = models.JSONField(default=dict, blank=True)
    # Signs widget identities and anything else the store's own site must prove to us.
    signing_secret = models.CharField(max_length=128, default=new_secret)
    created_at = models.DateTimeField(default=dj_timezone.now)

    DEFAULT_SETTINGS: dict[str, Any] = {
        "reopen_window_days": 14,
        "auto_acknowledge": False,
    }

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def setting(self, key: str) -> Any:
        return self.settings.get(key, self.DEFAULT_SETTINGS.get(key))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """An agent, lead or owner. Logs in with email. Deactivate, never delete: history keeps them."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    signature = models.TextField(blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.email.split("@")[0]


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    LEAD = "lead", "Team lead"
    ADMIN = "admin", "Admin / owner"


ROLE_RANK = {Role.AGENT: 1, Role.LEAD: 2, Role.ADMIN: 3}


class Membership(models.Model):
    """An agent's seat in one store, with their role there."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            # Serves: access_store(user, store) — one lookup per request.
            models.UniqueConstraint(fields=["user", "store"], name="membership_user_store_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.store} ({self.role})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class Team(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Serves: team lookup by name when routing and in the API filter.
            models.UniqueConstraint(fields=["store", "name"], name="team_store_name_uniq"),
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default")
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)  # Serves: token → user on every API call.
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditEvent(models.Model):
    """Who changed what, before and after, when. Written in the same transaction as the change."""

    class ActorKind(models.TextChoices):
        AGENT = "agent"
        CUSTOMER = "customer"
        BOT = "bot"
        SYSTEM = "system"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices, default=ActorKind.AGENT)
    verb = models.CharField(max_length=64)  # e.g. "conversation.assigned"
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves: the history of one object (conversation page audit tab, API).
            models.Index(fields=["object_type", "object_id", "created_at"], name="audit_object_idx"),
            # Serves: a store's audit log, newest first.
            models.Index(fields=["store", "-created_at"], name="audit_store_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type}#{self.object_id}"
