"""`storedesk staffing`: Erlang C staffing for one interval.

storedesk staffing --calls 100 --interval-s 1800 --aht-s 180 --target-s 20 --sl 0.8 \\
                   [--max-occupancy 0.85] [--shrinkage 0.3] [--json]

Prints the agents needed to answer `--sl` of the contacts within `--target-s`, with the
service level, waiting probability and occupancy they give (probabilities to 6 decimals).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from storedesk.core.lib.erlang_c import required_agents


class Command(BaseCommand):
    help = "Erlang C: agents needed for a service level target in one interval."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calls", type=float, required=True, help="contacts arriving in the interval")
        parser.add_argument("--interval-s", type=float, required=True, help="interval length in seconds")
        parser.add_argument("--aht-s", type=float, required=True, help="average handling time in seconds")
        parser.add_argument("--target-s", type=float, required=True, help="answer within this many seconds")
        parser.add_argument("--sl", type=float, required=True, help="service level target, e.g. 0.8")
        parser.add_argument("--max-occupancy", type=float, default=1.0, help="cap on agent occupancy (default 1)")
        parser.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time off the phones")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = required_agents(
                calls=options["calls"],
                interval_s=options["interval_s"],
                aht_s=options["aht_s"],
                target_s=options["target_s"],
                target_service_level=options["sl"],
                max_occupancy=options["max_occupancy"],
                shrinkage=options["shrinkage"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        out = {
            "required_agents": result.required_agents,
            "raw_agents": result.raw_agents,
            "service_level": round(result.service_level, 6),
            "waiting_probability": round(result.waiting_probability, 6),
            "occupancy": round(result.occupancy, 6),
            "average_speed_of_answer_s": round(result.average_speed_of_answer_s, 3),
            "traffic_erlangs": round(result.traffic_erlangs, 6),
        }
        if options["json"]:
            self.stdout.write(json.dumps(out))
            return
        for key, value in out.items():
            self.stdout.write(f"{key.replace('_', ' ')}: {value}")
