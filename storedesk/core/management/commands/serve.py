"""`storedesk serve`: the web process (HTTP + WebSockets) under uvicorn, plus a job worker.

- Serves `config.asgi:application` on HOST:PORT (defaults 127.0.0.1:8000; the HOST and
  PORT environment variables or --host/--port override them).
- Unless `--no-worker`, runs the job worker alongside and stops it when the server stops:
  - embedded mode (no REDIS_URL): inside this process, as threads. The in-memory channel
    layer only reaches browsers connected to this process, so jobs that publish realtime
    events (snooze wake-ups, deliveries) must run here for agents to see them live;
  - with REDIS_URL: `storedesk worker` as a child process (Redis carries the events).
  If a child worker dies, the server stops too, so a supervisor notices instead of jobs
  silently piling up.
- Static files: served by WhiteNoise. With DEBUG on they come straight from the app
  folders; with DEBUG off they are collected into STATIC_ROOT first if that was not done.

Scale-out deployments run `storedesk serve --no-worker` behind a proxy on many hosts and
`storedesk worker` separately (see README.md, "Deploying").
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

WORKER_STOP_TIMEOUT_S = 35.0  # the worker's own graceful shutdown timeout (30 s) plus slack


def _set_parent_death_signal() -> None:
    """Linux: the worker gets SIGTERM if this process dies without cleaning up (kill -9)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def _stop_requested(signum: int, frame: Any) -> None:
    raise SystemExit(0)


class Command(BaseCommand):
    help = "Run the web server (HTTP + WebSockets) and, unless --no-worker, a job worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument("--no-worker", action="store_true", help="do not start a job worker alongside")
        parser.add_argument(
            "--worker-mode",
            choices=["auto", "thread", "process"],
            default="auto",
            help="auto: threads in this process when the channel layer is in-memory, else a child process",
        )
        parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "info").lower())
        parser.add_argument(
            "--access-log", action="store_true", default=settings.DEBUG, help="log every request (default in DEBUG)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._prepare_static()

        host, port = options["host"], options["port"]
        config = uvicorn.Config(
            "config.asgi:application",
            host=host,
            port=port,
            ws="websockets-sansio",
            lifespan="off",
            log_level=options["log_level"],
            access_log=options["access_log"],
            server_header=False,
            timeout_graceful_shutdown=10,
        )
        banner = self._banner(host, port, with_worker=not options["no_worker"])
        server = _Server(config, on_ready=lambda: self.stdout.write(banner))

        # uvicorn handles SIGINT/SIGTERM while serving and re-raises them once it has shut
        # down; these handlers turn that (or a signal during start-up) into a normal exit,
        # so the `finally` below always stops the worker.
        signal.signal(signal.SIGINT, _stop_requested)
        signal.signal(signal.SIGTERM, _stop_requested)

        worker: subprocess.Popen[bytes] | None = None
        in_process: Any = None
        self._stopping = threading.Event()
        try:
            if not options["no_worker"]:
                if _worker_mode(options["worker_mode"]) == "thread":
                    in_process = _start_in_process_consumer()
                else:
                    worker = self._start_worker()
                    threading.Thread(target=self._watch_worker, args=(worker, server), daemon=True).start()
            _warm_intent_model(runs_jobs=in_process is not None)
            server.run()
        finally:
            self._stopping.set()
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            if worker is not None:
                self._stop_worker(worker)
            if in_process is not None:
                in_process.stop(graceful=True)
        if worker is not None and server.worker_failed:
            raise CommandError(f"the job worker exited unexpectedly (exit code {worker.returncode})")
        if not server.started:
            raise CommandError(f"could not start the server on {host}:{port}")

    # --- pieces -------------------------------------------------------------------------

    def _prepare_static(self) -> None:
        static_root = Path(settings.STATIC_ROOT)
        static_root.mkdir(parents=True, exist_ok=True)
        if settings.DEBUG:
            return  # WhiteNoise serves straight from the app folders (WHITENOISE_USE_FINDERS)
        if not (static_root / "staticfiles.json").exists():
            self.stdout.write(f"Collecting static files into {static_root} …")
            call_command("collectstatic", interactive=False, verbosity=0)

    def _banner(self, host: str, port: int, *, with_worker: bool) -> str:
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
        if ":" in shown_host:
            shown_host = f"[{shown_host}]"
        lines = [f"Storedesk is running at http://{shown_host}:{port}"]
        if host in {"0.0.0.0", "::"}:  # noqa: S104
            lines.append(f"  (listening on all interfaces, {host}:{port})")
        lines.append("  job worker: " + ("running alongside" if with_worker else "not started (--no-worker)"))
        demo = self._demo_logins()
        if demo:
            from storedesk.web.queries import DEMO_PASSWORD

            lines.append(f"  demo logins (password {DEMO_PASSWORD}):")
            lines.extend(f"    {email}" for email in demo)
        lines.append("  Press Ctrl-C to stop.")
        return "\n".join(lines)

    def _demo_logins(self) -> list[str]:
        from django.db import DatabaseError

        from storedesk.web.queries import demo_logins

        try:
            return demo_logins()
        except DatabaseError:
            return []  # not migrated yet: the server still starts

    def _start_worker(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "storedesk", "worker"]
        # Own session: a terminal Ctrl-C reaches only this process, which then stops the
        # worker gracefully (SIGTERM) after the server has drained.
        return subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings")},
            start_new_session=True,
            preexec_fn=_set_parent_death_signal,
        )

    def _watch_worker(self, worker: subprocess.Popen[bytes], server: _Server) -> None:
        worker.wait()
        if not self._stopping.is_set() and not server.should_exit:
            self.stderr.write(f"The job worker exited (code {worker.returncode}); stopping the server.")
            server.worker_failed = True
            server.should_exit = True

    def _stop_worker(self, worker: subprocess.Popen[bytes]) -> None:
        if worker.poll() is not None:
            return
        worker.send_signal(signal.SIGTERM)  # graceful: running jobs finish
        try:
            worker.wait(timeout=WORKER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _worker_mode(requested: str) -> str:
    if requested != "auto":
        return requested
    backend = str(settings.CHANNEL_LAYERS["default"]["BACKEND"])
    return "thread" if backend.endswith("InMemoryChannelLayer") else "process"


def _warm_intent_model(*, runs_jobs: bool) -> None:
    """Only where the bot's jobs run (in-process worker, or HUEY_IMMEDIATE): a web process
    whose jobs run in a worker process never needs the model."""
    from storedesk.automation.intent.warm import warm_in_background

    if runs_jobs or getattr(settings, "HUEY_IMMEDIATE", False):
        warm_in_background()


def _start_in_process_consumer() -> Any:
    """The huey consumer's scheduler and worker threads, started inside this process.

    huey's Consumer installs signal handlers in `start()`; here the server owns the
    signals, so that step is skipped and the server stops the consumer itself.
    """
    from django.utils.module_loading import autodiscover_modules
    from huey.consumer import Consumer
    from huey.contrib.djhuey import HUEY

    class InProcessConsumer(Consumer):  # type: ignore[misc]
        def _set_signal_handlers(self) -> None:
            pass

    autodiscover_modules("tasks")
    huey_settings: dict[str, Any] = settings.HUEY
    consumer_options: dict[str, Any] = {"shutdown_timeout": 30.0, **huey_settings.get("consumer", {})}
    consumer_options["worker_type"] = "thread"
    consumer = InProcessConsumer(HUEY, **consumer_options)
    consumer.start()
    return consumer


class _Server(uvicorn.Server):
    """uvicorn.Server that calls `on_ready` once it is listening."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_ready = on_ready
        self.worker_failed = False

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.on_ready()
