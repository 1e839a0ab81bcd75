"""`storedesk demo`: load the demo stores (idempotent: a second run changes nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from storedesk.demo.loader import load_demo
from storedesk.web.queries import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Load the demo stores, agents, customers and conversations (does nothing if already loaded)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--conversations", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo(customers=options["customers"], conversations=options["conversations"])
        verb = "Loaded" if summary.created else "Demo already loaded:"
        self.stdout.write(
            f"{verb} {', '.join(summary.stores)} — main store: {summary.customers} customers, "
            f"{summary.conversations} conversations, {summary.messages} messages."
        )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}): {', '.join(demo_logins())}")
