"""A real HTTP receiver on loopback for webhook tests.

`receiver` is an http.server on 127.0.0.1 (port 0) in a thread. It records every request
(path, headers, raw body) and answers from a script: `receiver.answer(500, 200)` makes the
next two requests get 500 then 200; afterwards (and by default) it answers 200 "ok".
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY

from storedesk.webhooks.signing import SIGNATURE_HEADER, verify_signature


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait this long before answering (to time out the sender)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def verifies_with(self, secret: str) -> bool:
        return verify_signature(secret, self.header(SIGNATURE_HEADER), self.body)


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._script: list[Answer] = []
        self._lock = threading.Lock()
        self.released = threading.Event()  # set at teardown: delayed answers stop waiting
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                answer = receiver._record(
                    Received(
                        method="POST",
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                    )
                )
                if answer.delay_s:
                    receiver.released.wait(answer.delay_s)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/storedesk"

    def answer(self, *answers: Answer | int) -> None:
        """Script the next answers, in order (an int is just a status with body "ok")."""
        with self._lock:
            self._script.extend(a if isinstance(a, Answer) else Answer(status=a) for a in answers)

    def _record(self, request: Received) -> Answer:
        with self._lock:
            self.requests.append(request)
            return self._script.pop(0) if self._script else Answer()

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def empty_huey_schedule():
    """Retries are scheduled into huey's in-memory schedule (immediate mode): start each test empty."""
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


def scheduled_retries() -> list[tuple[tuple[Any, ...], Any]]:
    """(args, eta) of every deliver_webhook job waiting in huey's schedule."""
    return [(task.args, task.eta) for task in HUEY.scheduled() if task.name.endswith("deliver_webhook")]
