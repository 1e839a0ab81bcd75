"""Browser fixtures: Chromium through Playwright, and a real ASGI server (uvicorn in a thread)
serving config.asgi.application — HTTP and WebSockets — for tests that need live updates.

pytest-django's `live_server` is WSGI-only (no WebSockets); use `asgi_live_server` when a page
talks to ws/agent/.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass

import pytest

from tests.conftest import require_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 10


@pytest.fixture
def chromium_executable() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        require_service("chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require_service("playwright", "the playwright package is not installed (make venv)")
    return CHROMIUM


@dataclass(frozen=True)
class AsgiLiveServer:
    url: str
    port: int

    def __str__(self) -> str:
        return self.url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def asgi_live_server(transactional_db):
    """uvicorn serving the ASGI app on 127.0.0.1 in a thread, for one test.

    The server's loop becomes the realtime "server loop" (config.asgi binds it on the first
    request), so events published from the test thread reach the sockets, as jobs do in
    `storedesk serve`.
    """
    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application
    from storedesk.core import realtime

    port = _free_port()
    # Static files from the app folders, as pytest-django's live_server serves them (no collectstatic).
    app = ASGIStaticFilesHandler(application)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    try:
        yield AsgiLiveServer(url=f"http://127.0.0.1:{port}", port=port)
    finally:
        server.should_exit = True
        thread.join(STARTUP_TIMEOUT_S)
        realtime.bind_server_loop(None)
