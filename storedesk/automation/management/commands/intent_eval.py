"""`storedesk intent-eval FILE.csv [--json]`: the intent engine's accuracy on a labelled CSV.

The CSV needs `instruction` and `intent` columns (others are ignored). Prints one JSON object
{"accuracy", "macro_f1", "per_intent": {intent: {precision, recall, f1, support}}, "n", "engine"};
without --json the JSON is indented for reading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from storedesk.automation.intent.embeddings import EngineUnavailable
from storedesk.automation.intent.evaluate import EvaluationError, evaluate_file


class Command(BaseCommand):
    help = "Evaluate the intent engine on a CSV with instruction,intent columns; prints JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV with instruction,intent columns")
        parser.add_argument(
            "--engine",
            default="default",
            choices=["default", "embeddings"],
            help="the engine to evaluate (embeddings needs the storedesk[embeddings] extra)",
        )
        parser.add_argument("--json", action="store_true", help="one line of JSON (default: indented)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = evaluate_file(path, options["engine"])
        except (EvaluationError, UnicodeDecodeError, EngineUnavailable) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(result, indent=None if options["json"] else 2, sort_keys=False))
