"""`storedesk` console script: manage.py with the settings module preset."""

from __future__ import annotations

import os
import sys

# Dashed spellings of commands whose Django names use underscores: `storedesk ingest-email`.
ALIASES = {
    "ingest-email": "ingest_email",
    "smtp-receiver": "smtp_receiver",
    "fetch-email": "fetch_email",
    "intent-eval": "intent_eval",
    "chat-limit": "chat_limit",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    execute_from_command_line(["storedesk", *args])


if __name__ == "__main__":
    main()
