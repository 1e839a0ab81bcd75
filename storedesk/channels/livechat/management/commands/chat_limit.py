"""`storedesk chat_limit STORE [AGENT_EMAIL LIMIT]`: show or set how many live chats an agent
takes at once. The limit is the agent's chat capacity (`AgentProfile.capacity["chat"]`, default
`DEFAULT_CAPACITY["chat"]`), which routing never exceeds; 0 means no chats routed to them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storedesk.automation.actions.agents import do_save_agent_profile
from storedesk.automation.models import AgentProfile
from storedesk.core.errors import ActionError
from storedesk.core.models import Membership, Store, User


class Command(BaseCommand):
    help = "Show the store's per-agent live chat limits, or set one agent's."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("store", help="store slug")
        parser.add_argument("agent", nargs="?", help="agent's email")
        parser.add_argument("limit", nargs="?", type=int, help="live chats at once (0: none)")

    def handle(self, *args: Any, **options: Any) -> None:
        store = Store.objects.filter(slug=options["store"]).first()
        if store is None:
            raise CommandError(f"No store {options['store']!r}.")
        if options["agent"] is None:
            for profile in AgentProfile.objects.filter(store=store).select_related("user").order_by("user__email"):
                self.stdout.write(f"{profile.user.email}\t{profile.capacity_for('chat')}")
            return
        if options["limit"] is None:
            raise CommandError("Give the limit after the agent's email.")
        user = User.objects.filter(email__iexact=options["agent"]).first()
        if user is None or not Membership.objects.filter(store=store, user=user).exists():
            raise CommandError(f"{options['agent']} is not an agent of {store.slug}.")
        existing = AgentProfile.objects.filter(store=store, user=user).first()
        capacity = {**(existing.capacity if existing else {}), "chat": options["limit"]}
        try:
            do_save_agent_profile(None, store, user, capacity=capacity)
        except ActionError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{user.email} in {store.slug}: at most {options['limit']} live chats at once")
