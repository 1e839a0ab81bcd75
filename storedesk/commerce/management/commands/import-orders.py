"""`storedesk import-orders FILE.csv|FILE.jsonl --store SLUG`: load orders from another system.

Each order is upserted on its own (a bad row is reported and skipped, the rest go in), so a
re-run after fixing the file only changes what changed. Progress goes to stderr; the summary
and any rejected rows to stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError

from storedesk.commerce.actions import do_import_order
from storedesk.commerce.importer import ImportedOrder, read_csv, read_jsonl
from storedesk.core.errors import ActionError
from storedesk.core.models import Store

BAR_WIDTH = 30
MAX_ERRORS_SHOWN = 20


def progress_line(done: int, total: int) -> str:
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} orders"


class Command(BaseCommand):
    help = "Import orders from a CSV (one row per line item) or JSONL (one order per line) file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--store", required=True, help="store slug or id")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        ref = options["store"]
        store = Store.objects.filter(**({"pk": int(ref)} if ref.isdigit() else {"slug": ref})).first()
        if store is None:
            raise CommandError(f"No store {ref!r}.")
        suffix = path.suffix.lower()
        if suffix == ".csv":
            rows = list(read_csv(path))
        elif suffix in (".jsonl", ".ndjson"):
            rows = list(read_jsonl(path))
        else:
            raise CommandError("The file must end in .csv or .jsonl.")
        show = not options["quiet"]
        created = updated = 0
        errors: list[str] = []
        for done, (line, raw, problem) in enumerate(rows, start=1):
            if raw is None:
                errors.append(f"line {line}: {problem}")
            else:
                try:
                    _, was_new = do_import_order(None, store, ImportedOrder.model_validate(raw))
                    created += was_new
                    updated += not was_new
                except ValidationError as exc:
                    first = exc.errors()[0]
                    where = ".".join(str(p) for p in first["loc"])
                    errors.append(f"line {line}: {where}: {first['msg']}")
                except ActionError as exc:
                    errors.append(f"line {line}: {exc.message}")
            if show:
                sys.stderr.write("\r" + progress_line(done, len(rows)))
                sys.stderr.flush()
        if show:
            sys.stderr.write("\n")
        self.stdout.write(
            f"Imported {created + updated} orders into {store.name} ({created} new, {updated} updated); "
            f"{len(errors)} rejected."
        )
        for error in errors[:MAX_ERRORS_SHOWN]:
            self.stdout.write(f"  {error}")
        if len(errors) > MAX_ERRORS_SHOWN:
            self.stdout.write(f"  … and {len(errors) - MAX_ERRORS_SHOWN} more")
