"""`storedesk smtp-receiver [--host H] [--port P]`: receive forwarded mail over SMTP.

Mail for every active `smtp` mailbox is stored and processed by the worker; anything else is
refused. Put it behind your MX or point your provider's forwarding at it (port 25 needs
root or a capability; a port above 1024 behind a forwarding rule is simpler).
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from storedesk.channels.email import smtp_receiver


class Command(BaseCommand):
    help = "Receive forwarded email over SMTP for the stores' smtp mailboxes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=2525, help="port to listen on (default 2525)")
        parser.add_argument(
            "--max-bytes", type=int, default=smtp_receiver.DEFAULT_MAX_BYTES, help="largest message accepted"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
        server = smtp_receiver.controller(options["host"], options["port"], options["max_bytes"])
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        server.start()
        self.stdout.write(f"SMTP receiver listening on {options['host']}:{options['port']}")
        try:
            stop.wait()
        finally:
            server.stop()
