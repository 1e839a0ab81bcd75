"""`storedesk ingest-email PATH… [--store SLUG] [--json]`: import .eml files, directories and
mbox archives through the same pipeline as every other inbound email.

Each email is stored first and processed at once; a repeat (same Message-ID) is counted as a
duplicate, and an email that cannot be processed is kept in the "could not process" view.
Emails are committed in batches of --batch (200): one transaction per batch through the batch
path (`channels.email.batch`: lookups once per batch, rows written in bulk); a bad email still
fails alone, and a crash loses at most the batch in flight, which a rerun imports again (the
Message-ID keys make the rerun idempotent). --one-by-one stores and processes each email with
the single-message actions instead (same outcome, about ten times slower).
With --json the last line is one summary object:
{"received": …, "created": …, "duplicates": …, "failed": …, "ignored": …}.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import transaction

from storedesk.channels.email import actions, batch, ingest
from storedesk.channels.email.models import InboundEmail
from storedesk.core.models import Store


class Progress:
    """A one-line progress bar on stderr (Django's OutputWrapper), drawn only on a terminal."""

    def __init__(self, total: int, stream: OutputWrapper) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.enabled = stream.isatty()
        self.done = 0

    def step(self) -> None:
        self.done += 1
        if self.enabled and (self.done == self.total or self.done % 10 == 0):
            width = 30
            filled = int(width * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}", ending="")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import raw emails from .eml files, directories and mbox archives into a store."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", help=".eml files, directories (searched recursively) or mbox files")
        parser.add_argument("--store", help="the store's slug (required when there is more than one store)")
        parser.add_argument("--json", action="store_true", help="end with one JSON summary line on stdout")
        parser.add_argument("--batch", type=int, default=200, help="emails per transaction (default 200)")
        parser.add_argument(
            "--one-by-one", action="store_true", help="the single-message path for each email (no bulk writes)"
        )

    def _store(self, slug: str | None) -> Store:
        if slug:
            store = Store.objects.filter(slug=slug).first()
            if store is None:
                raise CommandError(f"No store with slug {slug!r}.")
            return store
        stores = list(Store.objects.all()[:2])
        if len(stores) != 1:
            raise CommandError("Pick the store with --store SLUG." if stores else "There is no store yet.")
        return stores[0]

    def handle(self, *args: Any, **options: Any) -> None:
        store = self._store(options["store"])
        paths = [Path(p) for p in options["paths"]]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"Not found: {', '.join(missing)}")
        summary = {"received": 0, "created": 0, "duplicates": 0, "failed": 0, "ignored": 0}
        progress = Progress(ingest.count(paths), self.stderr)
        size = max(1, options["batch"])
        emails = ingest.read_all(paths)
        while chunk := list(itertools.islice(emails, size)):
            if options["one_by_one"]:
                with transaction.atomic():
                    for label, raw in chunk:
                        self._one(store, label, raw, summary, quiet=options["json"])
                        progress.step()
                continue
            results = batch.do_ingest(store, [raw for _, raw in chunk], InboundEmail.Source.IMPORT)
            for (label, _), (row, created) in zip(chunk, results, strict=True):
                counts = batch.summarize([(row, created)])
                for key, value in counts.items():
                    summary[key] += value
                if counts["failed"] and not options["json"]:
                    self.stderr.write(f"could not process {label}: {row.error}")
                progress.step()
        progress.close()
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"{summary['received']} emails read into {store.slug}: {summary['created']} new, "
                f"{summary['duplicates']} duplicates, {summary['ignored']} ignored (noise), "
                f"{summary['failed']} could not be processed (kept for retry)."
            )

    def _one(self, store: Store, label: str, raw: bytes, summary: dict[str, int], *, quiet: bool) -> None:
        summary["received"] += 1
        row, created = actions.do_accept_raw_email(store, raw, InboundEmail.Source.IMPORT, enqueue=False)
        if created or row.status == InboundEmail.Status.RECEIVED:
            result = actions.do_process_inbound(row.pk, raw=raw if created else None)
            row = result if result is not None else row
        if not created or row.status == InboundEmail.Status.DUPLICATE:
            summary["duplicates"] += 1
        elif row.status == InboundEmail.Status.FAILED:
            summary["failed"] += 1
            if not quiet:
                self.stderr.write(f"could not process {label}: {row.error}")
        elif row.status == InboundEmail.Status.IGNORED:
            summary["ignored"] += 1
        else:
            summary["created"] += 1
