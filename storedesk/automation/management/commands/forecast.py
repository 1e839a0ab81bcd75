"""`storedesk forecast`: contacts per channel per 30-minute interval for the coming weeks, the
backtest error of each model, and the agents required per interval.

storedesk forecast --store acme [--weeks 2] [--json]

The weeks start next Monday (the store's local time). Text output: the backtest per channel
and daily totals of contacts and the peak of required agents; --json: everything per interval.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from storedesk.automation.workforce import intervals
from storedesk.automation.workforce.queries import WEEK, build_forecast
from storedesk.core.models import Store


def report(store: Store, weeks: int) -> dict[str, Any]:
    forecast = build_forecast(store, weeks + 1)
    zone = ZoneInfo(store.timezone or "UTC")
    first = forecast.start + timedelta(weeks=1)
    window = slice(WEEK, (weeks + 1) * WEEK)
    channels = {}
    for channel in forecast.channels:
        channels[channel.channel] = {
            "model": channel.model,
            "backtest": {
                score.model: {"mae": round(score.mae, 4), "smape": round(score.smape, 2)}
                for score in channel.backtest.scores
            },
            "forecast": [round(v, 3) for v in channel.values[window]],
        }
    return {
        "store": store.slug,
        "timezone": str(zone),
        "interval_minutes": 30,
        "start": first.isoformat(),
        "weeks": weeks,
        "history": {
            "start": forecast.history_start.isoformat() if forecast.history_start else None,
            "weeks": forecast.history_weeks,
            "holdout_weeks": 1,
        },
        "targets": vars(forecast.targets),
        "interval_starts": [intervals.slot_start(first, i, zone).isoformat() for i in range(weeks * WEEK)],
        "channels": channels,
        "required_agents": [need.required for need in forecast.required[window]],
    }


class Command(BaseCommand):
    help = "Forecast contacts per channel and 30-minute interval, with the backtest error and staffing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", required=True, help="store slug")
        parser.add_argument("--weeks", type=int, default=1, help="weeks to forecast from next Monday (1–8)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        store = Store.objects.filter(slug=options["store"]).first()
        if store is None:
            raise CommandError(f"No store {options['store']!r}.")
        if not 1 <= options["weeks"] <= 8:
            raise CommandError("--weeks must be between 1 and 8.")
        out = report(store, options["weeks"])
        if options["json"]:
            self.stdout.write(json.dumps(out))
            return
        history = out["history"]
        self.stdout.write(
            f"{store.name}: history {history['weeks']} week(s) from {history['start']}, last week held out"
        )
        self.stdout.write(
            f"{'channel':<8} {'model used':<15} {'naive MAE':>10} {'naive sMAPE':>12} {'HW MAE':>8} {'HW sMAPE':>9}"
        )
        for name, channel in out["channels"].items():
            naive = channel["backtest"].get("seasonal_naive", {})
            hw = channel["backtest"].get("holt_winters", {})
            self.stdout.write(
                f"{name:<8} {channel['model']:<15} {naive.get('mae', '-'):>10} {naive.get('smape', '-'):>12} "
                f"{hw.get('mae', '-'):>8} {hw.get('smape', '-'):>9}"
            )
        self.stdout.write("day          contacts  peak agents")
        for day in range(out["weeks"] * 7):
            day_slice = slice(day * intervals.SLOTS_PER_DAY, (day + 1) * intervals.SLOTS_PER_DAY)
            contacts = sum(sum(c["forecast"][day_slice]) for c in out["channels"].values())
            peak = max(out["required_agents"][day_slice], default=0)
            label = f"{intervals.DAYS[day % 7]} {(date.fromisoformat(out['start']) + timedelta(days=day)).isoformat()}"
            self.stdout.write(f"{label:<14} {contacts:>7.1f}  {peak:>11}")
