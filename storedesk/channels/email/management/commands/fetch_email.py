"""`storedesk fetch-email [--idle] [--mailbox ID]`: fetch mail from the stores' IMAP mailboxes.

Without --idle: one pass over every active IMAP mailbox (concurrently), then exit — what the
worker's every-minute job does. With --idle: one connection per mailbox in IMAP IDLE, so new
mail is fetched within seconds; run it as a service and set EMAIL_IMAP_POLL=0.
"""

from __future__ import annotations

import json
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storedesk.channels.email import imap
from storedesk.channels.email.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new mail from the stores' IMAP mailboxes (once, or continuously with IDLE)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--idle", action="store_true", help="keep connections open in IMAP IDLE until stopped")
        parser.add_argument("--mailbox", type=int, action="append", help="only this mailbox id (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        mailboxes = Mailbox.objects.select_related("store").filter(kind=Mailbox.Kind.IMAP, is_active=True)
        if options["mailbox"]:
            mailboxes = mailboxes.filter(pk__in=options["mailbox"])
        selected = list(mailboxes)
        if not selected:
            raise CommandError("No active IMAP mailbox to fetch.")
        if not options["idle"]:
            self.stdout.write(json.dumps(imap.fetch_all(selected)))
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        threads = [
            threading.Thread(target=imap.idle_loop, args=(mailbox, stop), name=f"imap-{mailbox.pk}", daemon=True)
            for mailbox in selected
        ]
        for thread in threads:
            thread.start()
        self.stdout.write(f"Watching {len(threads)} IMAP mailbox(es) with IDLE; Ctrl-C to stop.")
        stop.wait()
        for thread in threads:
            thread.join(10)
