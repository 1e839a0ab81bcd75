"""`storedesk token`: personal API tokens for the REST API.

storedesk token create EMAIL [--name NAME]   prints the new token (shown once, never stored)
storedesk token list EMAIL                   prefix, name, created, last used, revoked
storedesk token revoke PREFIX                the prefix shown by `list` (e.g. sd_Ab3dE9x), or the whole token
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from storedesk.core.actions import do_create_api_token, do_revoke_api_token, hash_token
from storedesk.core.models import ApiToken, User


def _user(email: str) -> User:
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise CommandError(f"No user with email {email}.")
    return user


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="create a token for a user and print it (once)")
        create.add_argument("email")
        create.add_argument("--name", default="default", help="what the token is for (default: default)")
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("email")
        revoke = sub.add_parser("revoke", help="revoke a token by the prefix `list` shows (or the whole token)")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        user = _user(options["email"])
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated.")
        name = options["name"].strip() or "default"
        _, raw = do_create_api_token(user, name)
        self.stdout.write(raw)  # the only line on stdout: scripts can capture it

    def _list(self, options: dict[str, Any]) -> None:
        user = _user(options["email"])
        tokens = ApiToken.objects.filter(user=user).order_by("created_at", "id")
        if not tokens:
            self.stderr.write(f"{user.email} has no tokens.")
            return
        self.stdout.write(f"{'PREFIX':<12} {'NAME':<24} {'CREATED':<16} {'LAST USED':<16} STATUS")
        for token in tokens:
            status = f"revoked {_when(token.revoked_at)}" if token.revoked_at else "active"
            self.stdout.write(
                f"{token.prefix:<12} {token.name[:24]:<24} {_when(token.created_at):<16} "
                f"{_when(token.last_used_at):<16} {status}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        prefix = options["prefix"].strip()
        active = ApiToken.objects.filter(revoked_at__isnull=True).select_related("user")
        matches = list(active.filter(Q(prefix=prefix) | Q(key_hash=hash_token(prefix)))[:2])
        if not matches:
            raise CommandError(f"No active token with prefix {prefix}.")
        if len(matches) > 1:
            raise CommandError(f"More than one active token has prefix {prefix}: pass the whole token instead.")
        token = matches[0]
        do_revoke_api_token(token)
        self.stdout.write(f"Revoked {token.prefix} ({token.name}) of {token.user.email}.")
