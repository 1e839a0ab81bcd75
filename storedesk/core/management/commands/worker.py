"""`storedesk worker`: run the background job consumer (huey).

Run as many as you like, on as many hosts as you like, when the queue is Redis
(REDIS_URL). With the embedded SQLite queue, run one per machine (`storedesk serve`
starts it for you unless `--no-worker`).

Signals: SIGTERM (what systemd, Docker and Kubernetes send) stops gracefully — running
jobs finish, up to `--shutdown-timeout` seconds; SIGINT stops at once. Jobs are
idempotent and the webhook sweeper re-enqueues anything lost, so either is safe.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules
from huey.consumer_options import ConsumerConfig

from storedesk.automation.intent.warm import warm_in_background

log = logging.getLogger("storedesk.worker")


class Command(BaseCommand):
    help = "Run the background job consumer (webhook deliveries, scheduled jobs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, help="worker threads (default: HUEY_WORKERS or settings)")
        parser.add_argument("--worker-type", choices=["thread", "process", "greenlet"], help="default: thread")
        parser.add_argument(
            "--shutdown-timeout",
            type=float,
            default=30.0,
            help="seconds running jobs get to finish on SIGTERM (default: 30)",
        )
        parser.add_argument("--no-periodic", action="store_true", help="do not run periodic (cron-like) jobs here")

    def handle(self, *args: Any, **options: Any) -> None:
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            raise CommandError("HUEY_IMMEDIATE is on: jobs run inline, there is nothing for a worker to consume.")

        consumer_options: dict[str, Any] = {"graceful_signal": "TERM", "shutdown_timeout": options["shutdown_timeout"]}
        huey_settings: dict[str, Any] = settings.HUEY
        consumer_options.update(huey_settings.get("consumer", {}))
        if options["workers"]:
            consumer_options["workers"] = options["workers"]
        if options["worker_type"]:
            consumer_options["worker_type"] = options["worker_type"]
        if options["no_periodic"]:
            consumer_options["periodic"] = False

        config = ConsumerConfig(**consumer_options)
        config.validate()

        # Every app's tasks.py registers its jobs with the queue.
        autodiscover_modules("tasks")

        # Log through Django's LOGGING (root handler); only the level is set here.
        logging.getLogger("huey").setLevel(logging.DEBUG if options["verbosity"] > 1 else logging.INFO)
        log.info(
            "worker starting: queue=%s workers=%s type=%s",
            type(HUEY).__name__,
            config.workers,
            config.worker_type,
        )
        consumer = HUEY.create_consumer(**config.values)
        warm_in_background()  # the bot's jobs need the intent model: load it while the consumer starts
        consumer.run()
